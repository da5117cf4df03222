/** When and how long the client waits before sending a request again. */
export type RetryPolicy = {
  /** Retries after the first attempt (0 turns retrying off). Default 3. */
  maxRetries: number;
  /** First backoff step; doubles with each retry. Default 500 ms. */
  baseDelayMs: number;
  /** Longest wait: a longer `Retry-After` is not waited for, the error is thrown. Default 60 s. */
  maxDelayMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * Answers a retry can change: 429 and 503 only WITH `Retry-After` (the platform refused before doing
 * anything and said when to come back; the gateway's 409 for an idempotency key still in flight says
 * so too), and 502/504 (a sick or slow upstream) for methods that are idempotent by themselves. Never
 * a configuration error (501 "not configured"), nor any other 4xx/5xx: a retry would get the same.
 */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([409, 429, 503]);
export const RETRY_UPSTREAM_STATUSES: ReadonlySet<number> = new Set([502, 504]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
export const isIdempotent = (method: string) => IDEMPOTENT.has(method);

/**
 * Whether an answer is worth another attempt. A POST's 502/504 is not: the gateway stores the first
 * answer under the call's Idempotency-Key and would replay it.
 */
export function isRetryableStatus(status: number, method: string, retryAfterSeconds: number | undefined) {
  if (RETRY_AFTER_STATUSES.has(status)) return retryAfterSeconds !== undefined;
  return RETRY_UPSTREAM_STATUSES.has(status) && isIdempotent(method);
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * The wait before retry number `retry` (0-based): the server's `Retry-After` when it gave one, else
 * exponential backoff with jitter (half fixed, half random). `undefined` when no retry should be made.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retry >= policy.maxRetries) return undefined;
  if (retryAfterSeconds !== undefined) {
    const ms = retryAfterSeconds * 1000;
    return ms <= policy.maxDelayMs ? ms : undefined;
  }
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return step / 2 + random() * (step / 2);
}
