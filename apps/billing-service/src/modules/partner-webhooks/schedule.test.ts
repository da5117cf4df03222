import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE,
  nextAttemptAt,
  parseDuration,
  parseRetryAfter,
  type RetryPolicy,
} from './schedule.js';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const policy: RetryPolicy = { scheduleMs: [0, 5_000, 300_000], jitter: 0.2, retryAfterMaxMs: 3_600_000 };

describe('retry schedule', () => {
  it('parses durations and refuses anything else', () => {
    expect(['0', '250ms', '5s', '30m', '2h', '1d', '1.5h'].map(parseDuration)).toEqual([
      0, 250, 5_000, 1_800_000, 7_200_000, 86_400_000, 5_400_000,
    ]);
    expect(['', '5x', '-1s', 'soon'].map(parseDuration)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('the default spans more than 3 days even at -20 % jitter', () => {
    const delays = DEFAULT_RETRY_SCHEDULE.split(',').map((d) => parseDuration(d)!);
    expect(delays).toHaveLength(11);
    expect(delays.reduce((a, b) => a + b, 0) * 0.8).toBeGreaterThan(3 * 86_400_000);
  });

  it('reads Retry-After as seconds or an HTTP date; nonsense is ignored', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('Fri, 01 May 2026 10:30:00 GMT', NOW)).toBe(1_800_000);
    expect(parseRetryAfter('Fri, 01 May 2026 09:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('jitters each delay within ±20 %; Retry-After postpones up to its cap; the last attempt has no next', () => {
    expect(nextAttemptAt(policy, 1, NOW, () => 0)!.getTime() - NOW.getTime()).toBe(4_000);
    expect(nextAttemptAt(policy, 1, NOW, () => 0.999_999)!.getTime() - NOW.getTime()).toBe(6_000);
    expect(nextAttemptAt(policy, 2, NOW, () => 0.5)!.getTime() - NOW.getTime()).toBe(300_000);
    expect(nextAttemptAt(policy, 1, NOW, () => 0.5, 60_000)!.getTime() - NOW.getTime()).toBe(60_000);
    expect(nextAttemptAt(policy, 1, NOW, () => 0.5, 1_000)!.getTime() - NOW.getTime()).toBe(5_000);
    expect(nextAttemptAt(policy, 1, NOW, () => 0.5, 86_400_000)!.getTime() - NOW.getTime()).toBe(3_600_000);
    expect(nextAttemptAt(policy, 3, NOW, () => 0.5)).toBeNull();
  });
});
