import { z } from 'zod';
import { defineRoute } from './route.js';
import { DocumentKindSchema } from './search.js';

/** Chunks of named documents ranked for a question: the text an analyst reads (ai-service → search-service). */
export const PassagesRequestSchema = z.strictObject({
  documentIds: z.array(z.uuid()).min(1).max(60),
  /** What the passages should answer (keywords or sentences); chunks are ranked by these words. */
  query: z.string().trim().min(1).max(4000),
  limit: z.number().int().min(1).max(200).default(40),
});
export type PassagesRequest = z.input<typeof PassagesRequestSchema>;

export const PassageSchema = z.object({
  documentId: z.uuid(),
  chunkId: z.uuid(),
  title: z.string(),
  kind: DocumentKindSchema,
  /** Position of the chunk in its document, from 0. */
  seq: z.number().int().nonnegative(),
  text: z.string(),
  score: z.number(),
});
export type Passage = z.infer<typeof PassageSchema>;

export const PassagesSchema = z.object({ passages: z.array(PassageSchema) });

export const passageRoutes = {
  passages: defineRoute({
    method: 'POST',
    path: '/internal/passages',
    summary:
      'Chunks of the named documents ranked for a query, best chunk of each document first (a foreign or unknown id is a 404)',
    auth: 'internal',
    body: PassagesRequestSchema,
    response: { 200: PassagesSchema },
  }),
} as const;
