import { NotFoundError, type Passage, type PassagesRequestSchema, type Principal } from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { SearchDatabase } from '../../db/schema.js';
import { createPassagesRepo } from './passages.repo.js';

/** The text of named documents, chunk by chunk, ranked for what an analyst asks of them. */
export function createPassagesService(deps: { db: Kysely<SearchDatabase> }) {
  const repo = createPassagesRepo();

  async function passages(
    principal: Principal,
    request: z.output<typeof PassagesRequestSchema>,
  ): Promise<{ passages: Passage[] }> {
    const ids = [...new Set(request.documentIds)];
    const rows = await withTenant(deps.db, principal.tenantId, async (trx) => {
      // Another tenant's id or an unknown one is a 404, as GET /v1/documents/:id answers.
      if (Number(await repo.countDocuments(trx, principal.tenantId, ids)) !== ids.length)
        throw new NotFoundError('One or more of the documents do not exist.');
      return repo.rankedChunks(trx, principal.tenantId, ids, request.query, request.limit);
    });
    return {
      passages: rows.map((r) => ({
        documentId: r.document_id,
        chunkId: r.chunk_id,
        title: r.title,
        kind: r.kind as Passage['kind'],
        seq: r.seq,
        text: r.text,
        score: Math.round(r.score * 10_000) / 10_000,
      })),
    };
  }

  return { passages };
}

export type PassagesService = ReturnType<typeof createPassagesService>;
