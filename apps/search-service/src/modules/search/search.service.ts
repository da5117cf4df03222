import { createHash } from 'node:crypto';
import type {
  Principal,
  SearchExplain,
  SearchFusion,
  SearchRequestSchema,
  SearchResponse,
  SearchResult,
} from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { SearchDatabase } from '../../db/schema.js';
import { recordAudit } from '../audit/audit.repo.js';
import { toVectorLiteral } from '../embeddings/embedder.js';
import { type Bm25Params, explainQuery, type TermStats, termStatsQuery } from './bm25.sql.js';
import { type Cursor, decodeCursor, encodeCursor, fingerprintOf } from './cursor.js';
import { hybridQuery } from './hybrid.sql.js';
import { type Boundary, chunkConditions, keywordSearchQuery, type Row, semanticQuery } from './search.sql.js';

type ParsedSearch = z.output<typeof SearchRequestSchema>;

export type SearchServiceDeps = {
  db: Kysely<SearchDatabase>;
  embedQuery: (text: string) => Promise<number[]>;
  /** The query embedder's model: vector legs compare only chunks embedded by the same model. */
  embeddingModel: string;
  rrfK: number;
  bm25: Bm25Params;
  /** Hybrid's fusion, and convex fusion's semantic weight, when a request names none. */
  fusion: SearchFusion;
  convexAlpha: number;
  /** Chunks each leg of a hybrid search ranks; hybrid pages end when both are exhausted. */
  hybridWindow?: number;
  /** Chunks hybrid's BM25 leg ranks (its cost falls with it: fewer chunks are scored). */
  hybridKeywordWindow?: number;
  /** hnsw.ef_search: candidates kept per step of the graph walk. */
  efSearch?: number;
};

const SNIPPET_CHARS = 320;
const MAX_CANDIDATES = 1000;

/** A chunk's text without the title line every chunk starts with, cut to a readable snippet. */
function snippetOf(text: string, title: string): string {
  const body = text.startsWith(`${title}\n\n`) ? text.slice(title.length + 2) : text;
  if (body.length <= SNIPPET_CHARS) return body;
  const cut = body.lastIndexOf(' ', SNIPPET_CHARS);
  return `${body.slice(0, cut > SNIPPET_CHARS / 2 ? cut : SNIPPET_CHARS)}…`;
}

export function createSearchService(deps: SearchServiceDeps) {
  const window = deps.hybridWindow ?? 300;
  const keywordWindow = deps.hybridKeywordWindow ?? 100;
  const efSearch = deps.efSearch ?? 100;

  async function search(principal: Principal, request: ParsedSearch): Promise<SearchResponse> {
    const started = performance.now();
    const { query, mode, limit, filters, minScore } = request;
    const fusion = request.fusion ?? deps.fusion;
    const alpha = request.alpha ?? deps.convexAlpha;
    // The fusion is part of the fingerprint only where it shapes the order (hybrid).
    const fused = mode === 'hybrid' ? [fusion, fusion === 'convex' ? alpha : null] : [];
    const fingerprint = fingerprintOf([mode, query, filters ?? {}, minScore ?? null, ...fused]);
    const cursor: Cursor | null = request.cursor ? decodeCursor(request.cursor, fingerprint) : null;
    // Keyword mode embeds the query only to explain the results' similarity.
    const needsVector = mode !== 'keyword' || request.explain;
    const vector = needsVector ? toVectorLiteral(await deps.embedQuery(query)) : null;
    const tenantId = principal.tenantId;

    return withTenant(deps.db, tenantId, async (trx) => {
      // Iterative index scans keep filtered vector queries returning `limit` rows (pgvector 0.8). The
      // only write is the search's audit row: its commit does not wait for the WAL flush (a crash may
      // lose the last fraction of a second of search audit rows, never a document).
      const { rows: settings } = await sql<{ snapshot: Date }>`select
        set_config('hnsw.iterative_scan', 'relaxed_order', true),
        set_config('hnsw.ef_search', ${String(efSearch)}, true),
        set_config('synchronous_commit', 'off', true),
        now() as snapshot`.execute(trx);
      const snapshot = cursor ? new Date(cursor.t) : settings[0]!.snapshot;
      const conds = chunkConditions(tenantId, snapshot, filters);
      const boundary: Boundary = cursor ? { key: cursor.k, documentId: cursor.d } : null;
      const common = { conds, boundary, limit, minScore, tenantId };
      // One set of BM25 statistics for every page of a search (carried in the cursor).
      const stats: TermStats | null =
        mode === 'semantic' && !request.explain
          ? null
          : (cursor?.s ?? (await termStatsQuery(query, tenantId).execute(trx)).rows[0]!);
      let hasMoreCandidates = false;
      let rows: Row[];
      if (mode === 'keyword') {
        rows = (
          await keywordSearchQuery({ ...common, text: query, bm25: deps.bm25, stats: stats! }).execute(trx)
        ).rows;
      } else if (mode === 'semantic') {
        const candidates = Math.min(MAX_CANDIDATES, (limit + 1) * 5);
        rows = (
          await semanticQuery({ ...common, vector: vector!, model: deps.embeddingModel, candidates }).execute(
            trx,
          )
        ).rows;
        hasMoreCandidates = (rows[0]?.candidates ?? 0) >= candidates;
      } else {
        const q = {
          ...common,
          vector: vector!,
          model: deps.embeddingModel,
          text: query,
          window,
          keywordWindow,
          bm25: deps.bm25,
          stats: stats!,
          fusion: { fusion, rrfK: deps.rrfK, alpha },
        };
        rows = (await hybridQuery(q).execute(trx)).rows;
      }
      const offset = cursor?.o ?? 0;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const more = rows.length > limit || (hasMoreCandidates && page.length > 0);
      const explained = request.explain
        ? await explainPage(trx, {
            tenantId,
            text: query,
            stats: stats!,
            vector: vector ? { literal: vector, model: deps.embeddingModel } : null,
            mode,
            offset,
            page,
          })
        : null;
      const results: SearchResult[] = page.map((r, i) => ({
        documentId: r.document_id,
        chunkId: r.chunk_id,
        title: r.title,
        snippet: snippetOf(r.text, r.title),
        score: mode === 'semantic' ? 1 - r.key : r.key,
        scores: {
          ...(r.semantic !== null ? { semantic: r.semantic } : {}),
          ...(r.keyword !== null ? { keyword: r.keyword } : {}),
        },
        metadata: r.metadata as SearchResult['metadata'],
        kind: r.kind as SearchResult['kind'],
        ...(explained ? { explain: explained[i]! } : {}),
      }));
      const nextCursor =
        more && last
          ? encodeCursor({
              v: 1,
              f: fingerprint,
              t: snapshot.toISOString(),
              k: last.key,
              d: last.document_id,
              o: offset + page.length,
              ...(stats ? { s: stats } : {}),
            })
          : null;
      const tookMs = Math.round((performance.now() - started) * 100) / 100;
      await recordAudit(trx, principal, {
        action: 'search',
        details: {
          queryHash: createHash('sha256').update(query).digest('hex').slice(0, 32),
          mode,
          filters: filters ?? {},
          resultCount: results.length,
          resultIds: results.map((r) => r.documentId),
          latencyMs: tookMs,
          page: cursor ? 'next' : 'first',
        },
      });
      return { results, nextCursor, tookMs };
    });
  }

  /** Per result: matched BM25 terms of its keyword chunk, its chunk's similarity, the ranks. */
  async function explainPage(
    trx: Transaction<SearchDatabase>,
    p: {
      tenantId: string;
      text: string;
      stats: TermStats;
      vector: { literal: string; model: string } | null;
      mode: string;
      offset: number;
      page: Row[];
    },
  ): Promise<SearchExplain[]> {
    const chunkIds = [...new Set(p.page.flatMap((r) => [r.chunk_id, r.keyword_chunk_id ?? r.chunk_id]))];
    const { rows } = await explainQuery({ ...p, params: deps.bm25, chunkIds }).execute(trx);
    const byChunk = new Map(rows.map((r) => [r.chunk_id, r]));
    return p.page.map((r, i) => {
      const fusedRank = p.offset + i + 1;
      return {
        terms:
          r.keyword_chunk_id || p.mode === 'keyword'
            ? (byChunk.get(r.keyword_chunk_id ?? r.chunk_id)?.terms ?? [])
            : [],
        semantic: byChunk.get(r.chunk_id)?.semantic ?? null,
        keywordRank: p.mode === 'keyword' ? fusedRank : r.keyword_rank,
        semanticRank: p.mode === 'semantic' ? fusedRank : r.semantic_rank,
        fusedRank,
      };
    });
  }

  return { search };
}

export type SearchService = ReturnType<typeof createSearchService>;
