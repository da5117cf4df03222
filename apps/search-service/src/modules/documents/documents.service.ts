import { createHash } from 'node:crypto';
import {
  type DataVersion,
  type Document,
  type DocumentInputSchema,
  NotFoundError,
  type Principal,
  ValidationError,
} from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import type { z } from 'zod';
import type { SearchDatabase } from '../../db/schema.js';
import { recordAudit } from '../audit/audit.repo.js';
import type { EmbedEnqueuer } from '../indexing/indexing.queue.js';
import { chunkDocument } from './chunking.js';
import { type ChunkFilterColumns, createDocumentsRepo, type NewDocumentRow } from './documents.repo.js';

type ParsedDocument = z.output<typeof DocumentInputSchema>;

export type DocumentsServiceDeps = {
  db: Kysely<SearchDatabase>;
  enqueueEmbed: EmbedEnqueuer;
};

/** Hash of everything that shapes a document's chunks: re-posting it unchanged is a no-op. */
const hashOf = (doc: ParsedDocument) =>
  createHash('sha256')
    .update(JSON.stringify([doc.kind, doc.title, doc.content, doc.metadata]))
    .digest('hex');

const filterColumns = (doc: ParsedDocument): ChunkFilterColumns => ({
  kind: doc.kind,
  industry: doc.metadata.industry ?? null,
  region: doc.metadata.region ?? null,
  tags: doc.metadata.tags ?? [],
  company_id: doc.metadata.companyId ?? null,
  deal_size_usd: doc.metadata.dealSizeUsd ?? null,
  published_at: doc.metadata.publishedAt ?? null,
});

export function createDocumentsService(deps: DocumentsServiceDeps) {
  const repo = createDocumentsRepo();

  /** Stores documents and their chunks, then enqueues embedding for the new or changed ones. */
  async function ingest(principal: Principal, docs: ParsedDocument[]) {
    const seen = new Set<string>();
    for (const [i, doc] of docs.entries()) {
      if (seen.has(doc.externalId)) {
        throw new ValidationError('Each externalId may appear once per request.', [
          { path: `body.documents.${i}.externalId`, message: 'duplicate externalId' },
        ]);
      }
      seen.add(doc.externalId);
    }
    const tenantId = principal.tenantId;
    const rows: NewDocumentRow[] = docs.map((doc) => ({
      externalId: doc.externalId,
      kind: doc.kind,
      title: doc.title,
      content: doc.content,
      metadata: doc.metadata,
      contentHash: hashOf(doc),
      chunks: chunkDocument(doc.title, doc.content),
    }));
    const { results, toIndex } = await withTenant(deps.db, tenantId, async (trx) => {
      const existing = new Map(
        (await repo.findByExternalIds(trx, tenantId, [...seen])).map((r) => [r.external_id, r]),
      );
      const idOf = new Map<string, { id: string; status: Document['status'] }>();
      const changed: Array<{ id: string; row: NewDocumentRow; doc: ParsedDocument }> = [];
      const fresh: Array<{ row: NewDocumentRow; doc: ParsedDocument }> = [];
      rows.forEach((row, i) => {
        const doc = docs[i]!;
        const old = existing.get(row.externalId);
        if (!old) fresh.push({ row, doc });
        else if (old.content_hash === row.contentHash) idOf.set(row.externalId, old);
        else changed.push({ id: old.id, row, doc });
      });
      for (const c of changed) await repo.updateDocument(trx, tenantId, c.id, c.row);
      const inserted =
        fresh.length > 0
          ? await repo.insertDocuments(
              trx,
              tenantId,
              fresh.map((f) => f.row),
            )
          : [];
      const insertedIds = new Map(inserted.map((r) => [r.external_id, r.id]));
      const work = [
        ...changed,
        ...fresh.map((f) => ({ id: insertedIds.get(f.row.externalId)!, row: f.row, doc: f.doc })),
      ];
      if (work.length > 0) {
        await repo.deleteChunksOf(
          trx,
          tenantId,
          work.map((w) => w.id),
        );
        await repo.insertChunks(
          trx,
          tenantId,
          work.map((w) => ({ documentId: w.id, chunks: w.row.chunks, columns: filterColumns(w.doc) })),
        );
      }
      for (const w of work) idOf.set(w.row.externalId, { id: w.id, status: 'queued' });
      if (work.length > 0) {
        await recordAudit(trx, principal, {
          action: changed.length > 0 && fresh.length === 0 ? 'document.update' : 'document.create',
          targetIds: work.map((w) => w.id),
          details: { created: fresh.length, updated: changed.length, unchanged: rows.length - work.length },
        });
      }
      return { results: rows.map((r) => idOf.get(r.externalId)!), toIndex: work.map((w) => w.id) };
    });
    await deps.enqueueEmbed(tenantId, 'document', toIndex, principal.requestId);
    return results;
  }

  async function get(principal: Principal, id: string): Promise<Document> {
    const row = await withTenant(deps.db, principal.tenantId, (trx) =>
      repo.findById(trx, principal.tenantId, id),
    );
    if (!row) throw new NotFoundError(`No document ${id}.`);
    return {
      id: row.id,
      externalId: row.external_id,
      kind: row.kind as Document['kind'],
      title: row.title,
      metadata: row.metadata as Document['metadata'],
      status: row.status,
      chunkCount: row.chunk_count,
      error: row.error,
      deadLettered: row.dead_lettered,
      embeddingModel: row.embedding_model ?? null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  async function remove(principal: Principal, id: string): Promise<void> {
    await withTenant(deps.db, principal.tenantId, async (trx) => {
      const deleted = await repo.deleteById(trx, principal.tenantId, id);
      if (!deleted) throw new NotFoundError(`No document ${id}.`);
      await recordAudit(trx, principal, { action: 'document.delete', targetIds: [id] });
    });
  }

  /**
   * The version of the tenant's documents (0 before the first one): one primary-key read as the
   * tenant, in one round trip (`search.document_version`, migration 0009).
   */
  async function dataVersion(principal: Principal): Promise<DataVersion> {
    const { rows } = await sql<{ version: number }>`
      select search.document_version(${principal.tenantId}) as version`.execute(deps.db);
    return { documents: String(rows[0]!.version) };
  }

  return { ingest, get, remove, dataVersion };
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;
