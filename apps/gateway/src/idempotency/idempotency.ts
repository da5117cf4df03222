import { createHash } from 'node:crypto';
import { AppError, BadRequestError, ConflictError } from '@mna/shared';
import type { ServiceApp } from '@mna/shared/kit';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import '../fastify-types.js';
import { readPayload } from '../http/payload.js';
import type { GatewayRoute } from '../proxy/route-table.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** The first answer is kept this long (the IETF draft's and Stripe's 24 h). */
const KEEP_MS = 86_400_000;
/** An in-flight lock outlives the route's own timeout by this much, in case a replica dies mid-call. */
const LOCK_SLACK_MS = 60_000;
/** A raw token, or an RFC 8941 sf-string (`"…"`) as the draft spells it. */
const KEY_FORMAT = /^"?([\x21\x23-\x7e]{1,255})"?$/;
/** Answers that did nothing a retry could repeat: kept out of the store so a retry may proceed. */
const NOT_STORED = new Set([429, 501, 503]);
/** Upstream response headers worth replaying (ids, rate limits and hop headers are per request). */
const REPLAYED_HEADERS = ['content-type', 'location', 'retry-after', 'cache-control'];

type Stored =
  | { state: 'pending'; fp: string }
  | {
      state: 'done';
      fp: string;
      status: number;
      headers: Record<string, string>;
      body: string;
    };
type Tracked = { key: string; fp: string };
const TRACKED = Symbol('idempotency');
type WithTracked = { [TRACKED]?: Tracked };

export class IdempotencyMismatchError extends AppError {
  constructor() {
    super(422, 'idempotency-key-reused', 'Idempotency key reused', {
      detail: 'This Idempotency-Key was already used with a different request; use a new key.',
    });
  }
}

/** 409 with Retry-After: the first call with this key is still running; a retry will get its answer. */
export class IdempotencyInFlightError extends AppError {
  constructor() {
    super(409, 'idempotency-key-in-flight', 'Request in progress', {
      detail: 'A request with this Idempotency-Key is still in progress; retry later for its answer.',
      headers: { 'retry-after': '1' },
    });
  }
}

/**
 * POSTs that create or start something. Not: POSTs that only read (a `…:read` scope, e.g. search: a
 * retry is harmless and storing every result a day would not be), MCP's JSON-RPC and Stripe's signed
 * webhook (they carry their own ids).
 */
export const isIdempotent = (route: GatewayRoute | undefined): route is GatewayRoute =>
  route !== undefined &&
  route.method === 'POST' &&
  !route.rawBody &&
  route.path !== '/v1/mcp' &&
  !route.access?.scope?.endsWith(':read');

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function fingerprint(request: FastifyRequest): string {
  const body = Buffer.isBuffer(request.body)
    ? request.body
    : Buffer.from(JSON.stringify(request.body ?? null));
  return sha256(Buffer.concat([Buffer.from(`${request.method} ${request.url}\n`), body]));
}

export type IdempotencySettings = { redis: Redis; prefix: string };

/**
 * `Idempotency-Key` on every POST that creates or starts something (IETF draft, Stripe's practice),
 * per tenant and key in Redis: the first answer is stored 24 h and replayed byte for byte with
 * `Idempotent-Replayed: true`; the same key with another method, URL or body → 422; while the first
 * call is in flight → 409. Runs after authentication and the rate limit, before the analysis quota (a
 * replay uses none). Redis down: the call goes through without the guarantee, logged. A client that
 * hangs up leaves the key locked until the lock expires: the upstream may still be doing the work.
 */
export async function registerIdempotency(app: ServiceApp, settings: IdempotencySettings) {
  const { redis } = settings;
  app.addHook('preHandler', async (request, reply) => {
    const route = request.routeOptions.config.gateway;
    const raw = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (raw === undefined || !isIdempotent(route) || !request.principal) return;
    const match = typeof raw === 'string' ? KEY_FORMAT.exec(raw.trim()) : null;
    if (!match) throw new BadRequestError('Idempotency-Key must be 1 to 255 visible ASCII characters.');
    const key = `${settings.prefix}${request.principal.tenantId}:${sha256(match[1]!)}`;
    const fp = fingerprint(request);
    const pending: Stored = { state: 'pending', fp };
    let locked: string | null;
    let existing: string | null = null;
    try {
      locked = await redis.set(key, JSON.stringify(pending), 'PX', route.timeoutMs + LOCK_SLACK_MS, 'NX');
      if (!locked) existing = await redis.get(key);
    } catch (error) {
      request.log.error({ err: error }, 'idempotency store unavailable; request admitted without it');
      return;
    }
    if (locked) {
      (request as WithTracked)[TRACKED] = { key, fp };
      return;
    }
    // Expired between SET and GET: rare enough to ask the client to retry rather than loop.
    if (!existing) throw new ConflictError('A request with this Idempotency-Key just finished; retry.');
    const stored = JSON.parse(existing) as Stored;
    if (stored.fp !== fp) throw new IdempotencyMismatchError();
    if (stored.state === 'pending') throw new IdempotencyInFlightError();
    return reply
      .code(stored.status)
      .headers({ ...stored.headers, [REPLAYED_HEADER]: 'true' })
      .send(Buffer.from(stored.body, 'base64'));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const tracked = (request as WithTracked)[TRACKED];
    if (!tracked) return payload;
    delete (request as WithTracked)[TRACKED];
    if (NOT_STORED.has(reply.statusCode)) {
      await redis.del(tracked.key).catch(() => undefined);
      return payload;
    }
    const body = await readPayload(payload);
    if (!body) {
      await redis.del(tracked.key).catch(() => undefined);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const done: Stored = {
      state: 'done',
      fp: tracked.fp,
      status: reply.statusCode,
      headers,
      body: body.toString('base64'),
    };
    await redis.set(tracked.key, JSON.stringify(done), 'PX', KEEP_MS).catch((error: unknown) => {
      request.log.warn({ err: error }, 'idempotent answer not stored');
    });
    return body;
  });
}
