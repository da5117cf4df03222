import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { createCursorCodec } from './cursor.js';

const codec = createCursorCodec(z.strictObject({ at: z.iso.datetime(), id: z.uuid(), name: z.string() }));
const page = {
  at: '2026-05-01T10:00:00.000Z',
  id: '0b6f1c2e-8d3a-4f5b-9c7d-1e2f3a4b5c6d',
  name: 'Zürich → 東京',
};

function refusal(text: string) {
  try {
    codec.decode(text);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return { status: (error as BadRequestError).status, message: (error as Error).message };
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('the kit cursor codec', () => {
  it('is opaque URL-safe text that decodes to what was encoded, non-ASCII included', () => {
    const text = codec.encode(page);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text).toBe(Buffer.from(JSON.stringify(page), 'utf8').toString('base64url'));
    expect(codec.decode(text)).toEqual(page);
  });

  it('refuses mangled, non-JSON and wrongly shaped cursors as a 400, never a query error', () => {
    const wrongShape = Buffer.from(JSON.stringify({ ...page, id: 'x' })).toString('base64url');
    const extra = Buffer.from(JSON.stringify({ ...page, admin: true })).toString('base64url');
    for (const text of ['', '!!!', 'bm90IGpzb24', wrongShape, extra, codec.encode(page).slice(0, -4)]) {
      expect(refusal(text), text).toEqual({ status: 400, message: 'The cursor is not valid.' });
    }
  });
});
