import { describe, expect, it } from 'vitest';
import { addMonthsClamped, monthlyWindowEnd } from './monthly-window.js';

const at = (iso: string) => new Date(iso);

describe('monthlyWindowEnd', () => {
  it('uses UTC calendar months without a billing period', () => {
    expect(monthlyWindowEnd(null, at('2026-12-07T21:00:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(monthlyWindowEnd(null, at('2026-02-28T23:59:59Z')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('ends a monthly plan’s window at its period end, so a renewal starts a new count', () => {
    const end = '2026-12-15T10:00:00.000Z';
    expect(monthlyWindowEnd(end, at('2026-12-07T21:00:00Z')).toISOString()).toBe(end);
    // The renewed period (the next key) begins where the last one ended.
    expect(monthlyWindowEnd('2027-01-15T10:00:00.000Z', at('2026-12-15T10:00:01Z')).toISOString()).toBe(
      '2027-01-15T10:00:00.000Z',
    );
  });

  it('renews an annual plan’s allowance monthly on its billing day', () => {
    const yearEnd = '2027-03-15T10:00:00.000Z';
    expect(monthlyWindowEnd(yearEnd, at('2026-12-07T21:00:00Z')).toISOString()).toBe(
      '2026-12-15T10:00:00.000Z',
    );
    expect(monthlyWindowEnd(yearEnd, at('2026-12-15T10:00:00Z')).toISOString()).toBe(
      '2027-01-15T10:00:00.000Z',
    );
    expect(monthlyWindowEnd(yearEnd, at('2027-03-01T00:00:00Z')).toISOString()).toBe(yearEnd);
  });

  it('rolls a period end already past (renewal not synced yet) forward by months', () => {
    expect(monthlyWindowEnd('2026-11-30T00:00:00.000Z', at('2026-12-07T00:00:00Z')).toISOString()).toBe(
      '2026-12-30T00:00:00.000Z',
    );
  });

  it('clamps the billing day to short months, as Stripe anchors do', () => {
    expect(addMonthsClamped(at('2027-01-31T08:00:00Z'), 1).toISOString()).toBe('2027-02-28T08:00:00.000Z');
    expect(monthlyWindowEnd('2027-03-31T08:00:00.000Z', at('2027-02-10T00:00:00Z')).toISOString()).toBe(
      '2027-02-28T08:00:00.000Z',
    );
  });

  it('falls back to calendar months for a nonsense period end', () => {
    expect(monthlyWindowEnd('not a date', at('2026-12-07T00:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(monthlyWindowEnd('2099-01-01T00:00:00Z', at('2026-12-07T00:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});
