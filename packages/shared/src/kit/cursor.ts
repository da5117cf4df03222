import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

/**
 * An opaque page cursor: base64url of JSON checked against `schema` when it comes back, so a forged
 * or mangled cursor is a 400 problem, never a query error.
 */
export function createCursorCodec<S extends z.ZodType>(schema: S) {
  return {
    encode: (value: z.input<S>): string => Buffer.from(JSON.stringify(value)).toString('base64url'),
    decode(text: string): z.output<S> {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
      } catch {
        // Not base64url JSON: `parsed` stays undefined and the schema refuses it.
      }
      const result = schema.safeParse(parsed);
      if (!result.success) throw new BadRequestError('The cursor is not valid.');
      return result.data;
    },
  };
}
