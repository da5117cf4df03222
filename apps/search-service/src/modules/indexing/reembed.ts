import { withTenant } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { SearchDatabase } from '../../db/schema.js';
import type { EmbedEnqueuer } from './indexing.queue.js';

const BATCH = 500;

/**
 * Tenants holding vectors of a model other than `model` (or of no recorded model), read through the
 * owner connection, which row level security does not restrict (as `requeue-dead` does).
 */
export async function tenantsWithStaleEmbeddings(owner: Kysely<SearchDatabase>, model: string) {
  const { rows } = await sql<{ tenant_id: string }>`
    select distinct tenant_id from search.chunks
      where embedding is not null and embedding_model is distinct from ${model}
    union select distinct tenant_id from search.companies
      where embedding is not null and embedding_model is distinct from ${model}`.execute(owner);
  return rows.map((r) => r.tenant_id);
}

/**
 * Enqueues, in batches of 500 by id, an embedding job for every document and company of the tenant
 * whose vectors come from another model; the indexing processor replaces them with `model`'s. Jobs
 * are deduplicated per model, and the processor only redoes what is still stale, so the sweep can run
 * again at any time (every worker start) and resumes what a stopped one left.
 */
export async function enqueueStaleEmbeddings(
  deps: { db: Kysely<SearchDatabase>; enqueueEmbed: EmbedEnqueuer },
  tenantId: string,
  model: string,
) {
  const dedupeKey = `reembed-${model}`;
  const counts = { documents: 0, companies: 0 };
  for (const target of ['document', 'company'] as const) {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = await withTenant(deps.db, tenantId, async (trx) => {
        const { rows } =
          target === 'document'
            ? await sql<{ id: string }>`
                select distinct document_id as id from search.chunks
                where tenant_id = ${tenantId} and document_id > ${after}::uuid
                  and embedding is not null and embedding_model is distinct from ${model}
                order by 1 limit ${BATCH}`.execute(trx)
            : await sql<{ id: string }>`
                select id from search.companies
                where tenant_id = ${tenantId} and id > ${after}::uuid
                  and embedding is not null and embedding_model is distinct from ${model}
                order by 1 limit ${BATCH}`.execute(trx);
        return rows.map((r) => r.id);
      });
      if (ids.length === 0) break;
      await deps.enqueueEmbed(tenantId, target, ids, undefined, dedupeKey);
      counts[target === 'document' ? 'documents' : 'companies'] += ids.length;
      after = ids.at(-1)!;
    }
  }
  return counts;
}

/** Every tenant's stale vectors put on the queue; logs what it enqueued. */
export async function reembedStaleVectors(deps: {
  owner: Kysely<SearchDatabase>;
  db: Kysely<SearchDatabase>;
  enqueueEmbed: EmbedEnqueuer;
  model: string;
  logger: Logger;
}) {
  const tenants = await tenantsWithStaleEmbeddings(deps.owner, deps.model);
  for (const tenantId of tenants) {
    const counts = await enqueueStaleEmbeddings(deps, tenantId, deps.model);
    deps.logger.info({ tenantId, model: deps.model, ...counts }, 're-embedding vectors of another model');
  }
  return tenants.length;
}
