import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE,
  nextAttemptAt,
  parseDuration,
  parseRetryAfter,
  RETRY_AFTER_STATUSES,
  type RetryPolicy,
  systemClock,
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

  it('reads padded durations and a space before the unit, rounds to whole ms, refuses text around them', () => {
    expect([' 5s ', '5 s', '10  m', '2.4ms', '2.6ms', '1.25s'].map(parseDuration)).toEqual([
      5_000, 5_000, 600_000, 2, 3, 1_250,
    ]);
    expect(['x5s', '5s5', '.5s', '5.s'].map(parseDuration)).toEqual([
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

  it('Retry-After: padded values are read, digits with anything around them are not', () => {
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
    expect(parseRetryAfter('\t7\r\n', NOW)).toBe(7_000);
    expect(parseRetryAfter('  Fri, 01 May 2026 10:30:00 GMT ', NOW)).toBe(1_800_000);
    for (const bad of [
      '120abc',
      'abc120',
      '1 20',
      '12.5',
      '',
      '   ',
      '2026-05-01T10:30:00Z',
      'Xyz, 99 Foo',
    ]) {
      expect(parseRetryAfter(bad, NOW), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('honours Retry-After only on 429, 502, 503 and 504', () => {
    expect([...RETRY_AFTER_STATUSES].sort()).toEqual([429, 502, 503, 504]);
  });

  it('the system clock tells the time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeInstanceOf(Date);
    expect(now.getTime()).toBeGreaterThanOrEqual(before);
    expect(now.getTime()).toBeLessThanOrEqual(Date.now());
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
