import type { QUEUES, QueueData } from '@mna/shared';
import { recordEvent, withTenant } from '@mna/shared/kit';
import { type Job, UnrecoverableError } from 'bullmq';
import { type Kysely, sql } from 'kysely';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { SearchDatabase } from '../../db/schema.js';
import { profileText } from '../companies/companies.service.js';
import type { EmbeddingBatcher } from '../embeddings/batcher.js';
import { PermanentEmbeddingError, toVectorLiteral } from '../embeddings/embedder.js';

type EmbedJob = QueueData<typeof QUEUES.searchEmbed>;

/**
 * What a chunk's vector is made from: its text, then the labels the user filed with the document
 * (tags, industry, region), so that meaning carries the labels too. The keyword index keeps the text
 * alone. A company profile described only by its categories is found by them this way.
 */
export const chunkEmbeddingInput = (c: {
  text: string;
  industry: string | null;
  region: string | null;
  tags: string[];
}): string => [c.text, c.tags.join(', '), c.industry, c.region].filter(Boolean).join('\n');

export type IndexingDeps = {
  db: Kysely<SearchDatabase>;
  batcher: EmbeddingBatcher;
  /** The batcher's embedder's model: stored with each vector; vectors of any other model are redone. */
  model: string;
  logger: Logger;
  /**
   * Embedding writes (the HNSW inserts) in flight at once, per process; default 2. Jobs still embed
   * concurrently (a remote API needs many requests out), but more writers than cores only contend in
   * the graph: with the local embedder and 32 jobs, 1,000 documents went from 4,926 to 5,420
   * chunks/min and 3,000 from 4,362 to 4,537 (BENCHMARKS.md, Search).
   */
  writeConcurrency?: number;
};

/**
 * Embeds what a job points at. Only chunks without an embedding of the current model are sent (none
 * yet, or one of another model: the re-embedding after a model change takes the same path), and the
 * write only replaces those, in one transaction: a job re-run after a crash embeds the rest and never
 * stores a chunk twice. A document becomes `indexed` once none of its chunks is pending.
 */
export function createIndexingProcessor(deps: IndexingDeps) {
  const { db, batcher, model } = deps;
  const limitWrites = pLimit(deps.writeConcurrency ?? 2);

  async function indexDocument(tenantId: string, id: string): Promise<void> {
    const pending = await withTenant(db, tenantId, (trx) =>
      trx
        .selectFrom('search.chunks')
        .select(['id', 'text', 'industry', 'region', 'tags'])
        .where('tenant_id', '=', tenantId)
        .where('document_id', '=', id)
        .where((eb) => eb.or([eb('embedding', 'is', null), eb('embedding_model', 'is distinct from', model)]))
        .orderBy('seq')
        .execute(),
    );
    const vectors = await batcher.embed(pending.map(chunkEmbeddingInput));
    await limitWrites(() => writeDocument(tenantId, id, pending, vectors));
  }

  async function writeDocument(
    tenantId: string,
    id: string,
    pending: Array<{ id: string }>,
    vectors: number[][],
  ): Promise<void> {
    await withTenant(db, tenantId, async (trx) => {
      // Lock order, everywhere: the document row, then its chunks (ingest and DELETE take them so).
      // Updating chunks first deadlocked against a re-ingest or delete of the same document.
      const locked = await trx
        .selectFrom('search.documents')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forNoKeyUpdate()
        .executeTakeFirst();
      if (!locked) return; // deleted meanwhile: nothing to write
      if (pending.length > 0) {
        await sql`update search.chunks c
          set embedding = v.e::halfvec(1536), embedding_model = ${model}, embedded_at = clock_timestamp()
          from unnest(${pending.map((c) => c.id)}::uuid[], ${vectors.map(toVectorLiteral)}::text[]) as v(id, e)
          where c.id = v.id and c.tenant_id = ${tenantId}
            and (c.embedding is null or c.embedding_model is distinct from ${model})`.execute(trx);
      }
      const { rows } = await sql<{ external_id: string; title: string; chunk_count: number }>`
        update search.documents d
        set status = 'indexed', error = null, dead_lettered = false, updated_at = clock_timestamp()
        where d.id = ${id} and d.tenant_id = ${tenantId} and d.status <> 'indexed'
          and not exists (select 1 from search.chunks c where c.document_id = d.id and c.embedding is null)
        returning d.external_id, d.title, d.chunk_count`.execute(trx);
      const doc = rows[0];
      if (doc) {
        await recordEvent(trx, {
          schema: 'search',
          tenantId,
          type: 'document.indexed',
          resourceId: id,
          data: {
            documentId: id,
            externalId: doc.external_id,
            title: doc.title,
            status: 'indexed',
            chunkCount: doc.chunk_count,
          },
        });
      }
    });
  }

  async function indexCompany(tenantId: string, id: string): Promise<void> {
    const company = await withTenant(db, tenantId, (trx) =>
      trx
        .selectFrom('search.companies')
        .select(['name', 'description', 'industry', 'region', 'tags', 'profile_hash'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('embedding', 'is', null), eb('embedding_model', 'is distinct from', model)]))
        .executeTakeFirst(),
    );
    if (!company) return;
    const [vector] = await batcher.embed([profileText(company)]);
    // Only if the profile is still the one embedded; a newer version has its own job.
    await limitWrites(() =>
      withTenant(db, tenantId, (trx) =>
        trx
          .updateTable('search.companies')
          .set({
            embedding: toVectorLiteral(vector!),
            embedding_model: model,
            embedding_status: 'indexed',
            error: null,
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where('profile_hash', '=', company.profile_hash)
          .execute(),
      ),
    );
  }

  /** Records a failure on the row: the last error, and on the final attempt the dead-letter state. */
  async function recordFailure(data: EmbedJob, message: string, final: boolean): Promise<void> {
    await withTenant(db, data.tenantId, async (trx) => {
      if (data.target === 'document') {
        // Locked first: the failure event goes out once, on the change to `failed`.
        const before = final
          ? await trx
              .selectFrom('search.documents')
              .select(['status', 'external_id', 'title'])
              .where('tenant_id', '=', data.tenantId)
              .where('id', '=', data.id)
              .forUpdate()
              .executeTakeFirst()
          : undefined;
        await trx
          .updateTable('search.documents')
          .set({ error: message, ...(final ? { status: 'failed', dead_lettered: true } : {}) })
          .where('tenant_id', '=', data.tenantId)
          .where('id', '=', data.id)
          .execute();
        if (before && before.status !== 'failed') {
          await recordEvent(trx, {
            schema: 'search',
            tenantId: data.tenantId,
            type: 'document.failed',
            resourceId: data.id,
            data: {
              documentId: data.id,
              externalId: before.external_id,
              title: before.title,
              status: 'failed',
              error: message,
            },
          });
        }
      } else {
        await trx
          .updateTable('search.companies')
          .set({ error: message, ...(final ? { embedding_status: 'failed' } : {}) })
          .where('tenant_id', '=', data.tenantId)
          .where('id', '=', data.id)
          .execute();
      }
    });
  }

  return async function process(data: EmbedJob, job: Job<EmbedJob>): Promise<void> {
    try {
      if (data.target === 'document') await indexDocument(data.tenantId, data.id);
      else await indexCompany(data.tenantId, data.id);
    } catch (error) {
      const permanent = error instanceof PermanentEmbeddingError;
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const message = error instanceof Error ? error.message : String(error);
      await recordFailure(data, message.slice(0, 1000), final);
      if (permanent) throw new UnrecoverableError(message);
      throw error;
    }
  };
}
