/** Injected time and randomness, so tests control the retry schedule. */
export type Clock = { now: () => Date };
export type Random = () => number;

export const systemClock: Clock = { now: () => new Date() };

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration such as `250ms`, `5s`, `30m`, `2h`, `1d` or a bare number of milliseconds.
 * Returns undefined for anything else.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'ms') as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/**
 * Delays before each scheduled attempt (the first is the initial send). Svix-like, stretched so that
 * even at -20 % jitter the retries span more than 3 days (99.6 h nominal, 79.7 h at the low edge):
 * 11 attempts.
 */
export const DEFAULT_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,14h,20h,24h,24h';

export type RetryPolicy = {
  /** Delay before attempt n (index n-1), in ms; the length is the number of scheduled attempts. */
  scheduleMs: readonly number[];
  /** Relative jitter applied to every non-zero delay: 0.2 means ±20 %. */
  jitter: number;
  /** Longest wait a receiver's Retry-After can impose. */
  retryAfterMaxMs: number;
};

/** The delay before scheduled attempt `attempt` (1-based; 1 is the first send), jittered. */
export function scheduledDelayMs(policy: RetryPolicy, attempt: number, random: Random): number | null {
  const base = policy.scheduleMs[attempt - 1];
  if (base === undefined) return null;
  if (base === 0) return 0;
  const factor = 1 + (random() * 2 - 1) * policy.jitter;
  return Math.round(base * factor);
}

/** Statuses whose Retry-After header is honoured (rate limited, or the receiver's gateway is unwell). */
export const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504]);

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // An HTTP date names its day or month (`Sun, 06 Nov 1994 08:49:37 GMT`); `-5` is not one.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

/**
 * When the next scheduled attempt is due after failed attempt `attempt`, or null when it was the last.
 * A Retry-After (capped) postpones the scheduled delay, never brings it forward.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempt: number,
  now: Date,
  random: Random,
  retryAfterMs?: number,
): Date | null {
  const delay = scheduledDelayMs(policy, attempt + 1, random);
  if (delay === null) return null;
  const honoured = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.retryAfterMaxMs);
  return new Date(now.getTime() + Math.max(delay, honoured));
}
