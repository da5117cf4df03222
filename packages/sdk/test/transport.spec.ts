import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  NotConfiguredError,
  type ProblemError,
  ServiceUnavailableError,
} from '../src/index.js';
import { parseRetryAfter, retryDelayMs } from '../src/retry.js';
import { rejection } from './rejection.js';

describe('retry policy', () => {
  const policy = { maxRetries: 3, baseDelayMs: 400, maxDelayMs: 5_000 };

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(
      parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1)),
    ).toBe(30);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('waits Retry-After when given, else doubles with jitter, and stops after maxRetries', () => {
    expect(retryDelayMs(policy, 0, 2)).toBe(2_000);
    expect(retryDelayMs(policy, 0, 60)).toBeUndefined();
    for (const [retry, step] of [
      [0, 400],
      [1, 800],
      [2, 1_600],
    ] as const) {
      expect(retryDelayMs(policy, retry, undefined, () => 0)).toBe(step / 2);
      expect(retryDelayMs(policy, retry, undefined, () => 1)).toBe(step);
    }
    expect(retryDelayMs(policy, 3, undefined)).toBeUndefined();
  });
});

// A real HTTP server answering from a script, to see what the client sends again and what it does not.
describe('retries over HTTP', () => {
  let script: Array<(res: ServerResponse) => void> = [];
  const seen: Array<{ method: string; url: string; body: string; key: string | undefined }> = [];
  let baseUrl: string;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      seen.push({ method: req.method!, url: req.url!, body, key: typeof key === 'string' ? key : undefined });
      const next = script.shift();
      if (next) next(res);
      else res.writeHead(500).end();
    });
  });
  const problem =
    (status: number, headers: Record<string, string> = {}) =>
    (res: ServerResponse) =>
      res.writeHead(status, { 'content-type': 'application/problem+json', ...headers }).end(
        JSON.stringify({
          type: 'https://docs.mna.dev/problems/unavailable',
          title: 'Service unavailable',
          status,
        }),
      );
  const ok = (body: unknown) => (res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = () => createClient({ baseUrl, token: 't', retry: { baseDelayMs: 10, maxRetries: 2 } });

  it('sends a POST refused with 503 again, the same body, and returns the answer', async () => {
    seen.length = 0;
    script = [problem(503, { 'retry-after': '0' }), ok({ results: [], nextCursor: null, tookMs: 1 })];
    const answer = await client().search.search({ body: { query: 'acme' } });
    expect(answer.nextCursor).toBeNull();
    expect(seen.map((s) => s.method)).toEqual(['POST', 'POST']);
    expect(seen[1]!.body).toBe(seen[0]!.body);
  });

  it('throws ServiceUnavailableError with the problem once the retries are used up', async () => {
    seen.length = 0;
    script = [
      problem(503, { 'retry-after': '0' }),
      problem(503, { 'retry-after': '0' }),
      problem(503, { 'retry-after': '0' }),
    ];
    const error = await rejection<ServiceUnavailableError>(client().billing.subscription());
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.title).toBe('Service unavailable');
    expect(seen).toHaveLength(3);
  });

  it('does not retry what cannot succeed: 501 not configured, and 429/503 without Retry-After', async () => {
    for (const status of [501, 503, 429]) {
      seen.length = 0;
      script = [problem(status), ok({ plans: [] })];
      const error = await rejection<ProblemError>(client().billing.plans());
      expect(error.status).toBe(status);
      expect(seen).toHaveLength(1);
    }
    seen.length = 0;
    script = [problem(501)];
    expect(
      await rejection(client().billing.portal({ body: { returnUrl: 'https://app.test/' } })),
    ).toBeInstanceOf(NotConfiguredError);
    expect(seen).toHaveLength(1);
  });

  it('retries a GET on 502/504, but not a POST (the gateway would replay its stored answer)', async () => {
    seen.length = 0;
    script = [problem(502), problem(504), ok({ plans: [] })];
    expect(await client().billing.plans()).toEqual({ plans: [] });
    expect(seen).toHaveLength(3);
    seen.length = 0;
    script = [problem(504)];
    await expect(client().search.search({ body: { query: 'acme' } })).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });

  it('sends a POST again after a network failure with the same Idempotency-Key', async () => {
    const closing = (res: ServerResponse) => res.socket?.destroy();
    seen.length = 0;
    script = [closing, ok({ id: 'd1', status: 'queued' })];
    await client().search.ingestDocument({
      body: { externalId: 'a', kind: 'note', title: 't', content: 'c' },
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]!.key).toBe(seen[0]!.key);
    expect(seen[1]!.body).toBe(seen[0]!.body);
    seen.length = 0;
    script = [ok({ id: 'd2', status: 'queued' }), ok({ id: 'd3', status: 'queued' })];
    const doc = { externalId: 'b', kind: 'note' as const, title: 't', content: 'c' };
    await client().search.ingestDocument({ body: doc });
    await client().search.ingestDocument({ body: doc, idempotencyKey: 'mine-123' });
    expect(seen[0]!.key).toBeDefined();
    expect(seen[1]!.key).toBe('mine-123');
    seen.length = 0;
    script = [closing, ok({ plans: [] })];
    expect(await client().billing.plans()).toEqual({ plans: [] });
    expect(seen).toHaveLength(2);
    expect(seen[0]!.key).toBeUndefined();
  });

  it('fills path parameters and the query, and pages a list through its query cursor', async () => {
    seen.length = 0;
    const company = (id: string) => ({ id });
    script = [
      ok({ companies: [company('a')], nextCursor: 'c2' }),
      ok({ companies: [company('b')], nextCursor: null }),
    ];
    const names: string[] = [];
    for await (const page of client().search.listCompanies.pages({ query: { q: 'acme corp', limit: 1 } })) {
      names.push(...page.companies.map((c) => c.id));
    }
    expect(names).toEqual(['a', 'b']);
    expect(seen.map((s) => s.url)).toEqual([
      '/v1/companies?q=acme+corp&limit=1',
      '/v1/companies?q=acme+corp&limit=1&cursor=c2',
    ]);
  });
});
