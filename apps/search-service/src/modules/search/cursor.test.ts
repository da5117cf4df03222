import { createHash } from 'node:crypto';
import { BadRequestError } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { type Cursor, decodeCursor, encodeCursor, fingerprintOf } from './cursor.js';

// fingerprintOf(request), written out: computed at import time, a throwing fingerprintOf would fail no test.
const fingerprint = '180c774cb879d1ff';
const request = { q: 'acquisitions in fintech', mode: 'hybrid', filters: { country: 'DE' } };
const cursor: Cursor = {
  v: 1,
  f: fingerprint,
  t: '2026-05-01T10:00:00.000Z',
  k: 0.4375,
  d: '0b6f1c2e-8d3a-4f5b-9c7d-1e2f3a4b5c6d',
  o: 10,
};
const encoded = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function refusal(text: string, f = fingerprint) {
  try {
    decodeCursor(text, f);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return { status: (error as BadRequestError).status, message: (error as Error).message };
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('search page cursors', () => {
  it('fingerprints a request as 16 hex characters that change with any part of it', () => {
    const own = fingerprintOf(request);
    expect(own).toMatch(/^[0-9a-f]{16}$/);
    expect(own).toBe(createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 16));
    expect(own).toBe(fingerprint);
    expect(fingerprintOf({ ...request, filters: { country: 'FR' } })).not.toBe(own);
  });

  it('round-trips through URL-safe base64 of its JSON', () => {
    const text = encodeCursor(cursor);
    expect(text).toBe(encoded(cursor));
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, fingerprint)).toEqual(cursor);
    const withOffset = { ...cursor, t: '2026-05-01T12:00:00.000+02:00' };
    expect(decodeCursor(encodeCursor(withOffset), fingerprint)).toEqual(withOffset);
  });

  it('refuses a mangled or wrongly shaped cursor as a 400', () => {
    for (const text of [
      '',
      '%%%',
      'bm90IGpzb24',
      encoded({ ...cursor, v: 2 }),
      encoded({ ...cursor, d: 'not-a-uuid' }),
      encoded({ ...cursor, extra: 1 }),
      encodeCursor(cursor).slice(0, -3),
    ]) {
      expect(refusal(text), text).toEqual({ status: 400, message: 'The cursor is not valid.' });
    }
  });

  it('refuses a cursor replayed against another query, mode or filter set', () => {
    const other = fingerprintOf({ ...request, mode: 'keyword' });
    expect(refusal(encodeCursor(cursor), other)).toEqual({
      status: 400,
      message: 'The cursor belongs to a different query, mode or filter set.',
    });
  });
});
