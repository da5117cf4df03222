import { buildPath, toQueryString } from '@mna/shared/contracts/request-url';
import type { RouteContract } from '@mna/shared/contracts/route';
import { problemErrorFrom } from './errors.js';
import {
  DEFAULT_RETRY,
  isIdempotent,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
} from './retry.js';

/** Told before each retry: which route, which retry (1-based), how long it waits and why. */
export type RetryInfo = {
  method: string;
  path: string;
  retry: number;
  delayMs: number;
  status?: number;
  error?: unknown;
};

export type ClientOptions = {
  /** The gateway's address, e.g. `https://api.mna.dev`. */
  baseUrl: string;
  /** A bearer token (Clerk session or machine token), or a function asked before every request. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Defaults to the global `fetch` (Node 20+, browsers, Deno, Bun, workers). */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Sent with every request. */
  headers?: Record<string, string>;
  onRetry?: (info: RetryInfo) => void;
};

/** Per call: cancel it, add headers, or name its `Idempotency-Key` (a POST gets a random one). */
export type CallOptions = { signal?: AbortSignal; headers?: Record<string, string>; idempotencyKey?: string };

export type WireInput = CallOptions & {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sends one contract route over fetch: auth, JSON, timeout, retries, problem+json as typed errors. */
export function createTransport(options: ClientOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function headersFor(input: WireInput, idempotencyKey: string | undefined) {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    return {
      accept: 'application/json, application/problem+json',
      ...options.headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(input.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      ...input.headers,
    };
  }

  return async function send(route: RouteContract, input: WireInput = {}): Promise<unknown> {
    const url = baseUrl + buildPath(route.path, input.params) + toQueryString(input.query);
    const body = input.body !== undefined ? JSON.stringify(input.body) : undefined;
    // One key for every attempt of this call: the gateway runs it once and replays its answer, so a
    // POST whose connection failed is safe to send again.
    const idempotencyKey =
      route.method === 'POST' ? (input.idempotencyKey ?? globalThis.crypto.randomUUID()) : undefined;
    const retriesOnNetworkError = isIdempotent(route.method) || idempotencyKey !== undefined;
    for (let retry = 0; ; retry++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: route.method,
          headers: await headersFor(input, idempotencyKey),
          body,
          signal,
        });
      } catch (error) {
        const delayMs =
          !input.signal?.aborted && retriesOnNetworkError
            ? retryDelayMs(policy, retry, undefined)
            : undefined;
        if (delayMs === undefined) throw error;
        options.onRetry?.({ method: route.method, path: route.path, retry: retry + 1, delayMs, error });
        await sleep(delayMs, input.signal);
        continue;
      }
      const payload = await readBody(response);
      if (response.ok) return payload;
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      const delayMs = isRetryableStatus(response.status, route.method, retryAfterSeconds)
        ? retryDelayMs(policy, retry, retryAfterSeconds)
        : undefined;
      if (delayMs === undefined) {
        const requestId = response.headers.get('x-request-id') ?? undefined;
        throw problemErrorFrom(response, payload, {
          ...(requestId ? { requestId } : {}),
          ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        });
      }
      options.onRetry?.({
        method: route.method,
        path: route.path,
        retry: retry + 1,
        delayMs,
        status: response.status,
      });
      await sleep(delayMs, input.signal);
    }
  };
}

export type Send = ReturnType<typeof createTransport>;
