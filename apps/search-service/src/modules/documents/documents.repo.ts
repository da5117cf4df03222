import { sql, type Transaction } from 'kysely';
import type { SearchDatabase } from '../../db/schema.js';

type Trx = Transaction<SearchDatabase>;

export type NewDocumentRow = {
  externalId: string;
  kind: string;
  title: string;
  content: string;
  metadata: Record<string, unknown>;
  contentHash: string;
  chunks: string[];
};

export type ChunkFilterColumns = {
  kind: string;
  industry: string | null;
  region: string | null;
  tags: string[];
  company_id: string | null;
  deal_size_usd: number | null;
  published_at: string | null;
};

const INSERT_BATCH = 500;

/** Every query names the tenant even though RLS would filter anyway: defence in depth. */
export function createDocumentsRepo() {
  return {
    findByExternalIds: (trx: Trx, tenantId: string, externalIds: string[]) =>
      trx
        .selectFrom('search.documents')
        .select(['id', 'external_id', 'content_hash', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('external_id', 'in', externalIds)
        // Rows are locked in id order, so two ingests sharing documents take them in one order.
        .orderBy('id')
        .forUpdate()
        .execute(),

    insertDocuments: (trx: Trx, tenantId: string, rows: NewDocumentRow[]) =>
      trx
        .insertInto('search.documents')
        .values(
          // In externalId order: concurrent ingests of overlapping new documents wait on each
          // other's unique-index entries in one order instead of deadlocking.
          [...rows]
            .sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0))
            .map((r) => ({
              tenant_id: tenantId,
              external_id: r.externalId,
              kind: r.kind,
              title: r.title,
              content: r.content,
              metadata: r.metadata,
              content_hash: r.contentHash,
              chunk_count: r.chunks.length,
            })),
        )
        // A concurrent ingest of the same externalId: the later one updates (and re-indexes).
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'external_id']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            title: eb.ref('excluded.title'),
            content: eb.ref('excluded.content'),
            metadata: eb.ref('excluded.metadata'),
            content_hash: eb.ref('excluded.content_hash'),
            chunk_count: eb.ref('excluded.chunk_count'),
            status: 'queued',
            error: null,
            dead_lettered: false,
            updated_at: sql<Date>`clock_timestamp()`,
          })),
        )
        .returning(['id', 'external_id'])
        .execute(),

    updateDocument: (trx: Trx, tenantId: string, id: string, row: NewDocumentRow) =>
      trx
        .updateTable('search.documents')
        .set({
          kind: row.kind,
          title: row.title,
          content: row.content,
          metadata: row.metadata,
          content_hash: row.contentHash,
          chunk_count: row.chunks.length,
          status: 'queued',
          error: null,
          dead_lettered: false,
          updated_at: sql<Date>`clock_timestamp()`,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute(),

    deleteChunksOf: (trx: Trx, tenantId: string, documentIds: string[]) =>
      trx
        .deleteFrom('search.chunks')
        .where('tenant_id', '=', tenantId)
        .where('document_id', 'in', documentIds)
        .execute(),

    async insertChunks(
      trx: Trx,
      tenantId: string,
      docs: Array<{ documentId: string; chunks: string[]; columns: ChunkFilterColumns }>,
    ): Promise<void> {
      const rows = docs.flatMap((d) =>
        d.chunks.map((text, seq) => ({
          tenant_id: tenantId,
          document_id: d.documentId,
          seq,
          text,
          ...d.columns,
        })),
      );
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        await trx
          .insertInto('search.chunks')
          .values(rows.slice(i, i + INSERT_BATCH))
          .execute();
      }
    },

    findById: (trx: Trx, tenantId: string, id: string) =>
      trx
        .selectFrom('search.documents as d')
        .select((eb) => [
          // A document's chunks are embedded in one transaction, so they share one model.
          eb
            .selectFrom('search.chunks as c')
            .select((c) => c.fn.max('c.embedding_model').as('m'))
            .where('c.tenant_id', '=', tenantId)
            .whereRef('c.document_id', '=', 'd.id')
            .where('c.embedding', 'is not', null)
            .as('embedding_model'),
        ])
        .select([
          'd.id',
          'd.external_id',
          'd.kind',
          'd.title',
          'd.metadata',
          'd.status',
          'd.chunk_count',
          'd.error',
          'd.dead_lettered',
          'd.created_at',
          'd.updated_at',
        ])
        .where('d.tenant_id', '=', tenantId)
        .where('d.id', '=', id)
        .executeTakeFirst(),

    deleteById: (trx: Trx, tenantId: string, id: string) =>
      trx
        .deleteFrom('search.documents')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst(),
  };
}

export type DocumentsRepo = ReturnType<typeof createDocumentsRepo>;
