import { createHash } from 'node:crypto';
import { BadRequestError } from '@mna/shared';
import { z } from 'zod';

/**
 * A page boundary: the last document's sort key (`key`: distance, rank or fused score) and id, the
 * snapshot time (rows created later stay out of every later page), and a fingerprint of the request
 * so that a cursor cannot be replayed against another query; `o` counts the results of earlier pages
 * (explain's ranks continue across pages).
 */
const CursorSchema = z.strictObject({
  v: z.literal(1),
  f: z.string().length(16),
  t: z.iso.datetime({ offset: true }),
  k: z.number(),
  d: z.uuid(),
  o: z.number().int().nonnegative().default(0),
  /** Keyword and hybrid: the BM25 statistics of the first page (see TermStats). */
  s: z.strictObject({ n: z.number(), total: z.number(), df: z.array(z.number().int()) }).optional(),
});
export type Cursor = z.output<typeof CursorSchema>;

export const fingerprintOf = (parts: unknown): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);

export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify(cursor)).toString('base64url');

export function decodeCursor(text: string, fingerprint: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    // Not base64url JSON: `parsed` stays undefined and the schema refuses it.
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success) throw new BadRequestError('The cursor is not valid.');
  if (result.data.f !== fingerprint) {
    throw new BadRequestError('The cursor belongs to a different query, mode or filter set.');
  }
  return result.data;
}
