import { type Kysely, sql } from 'kysely';

/**
 * The chunks' HNSW graph with m = 32, ef_construction = 128 (was 16 / 64): at 100k chunks recall@10
 * went from 0.68 (ef_search 100) and 0.96 (ef_search 1000) to 0.99 at ef_search 400 and faster
 * queries for the same recall (BENCHMARKS.md, Search). Rebuilding locks writes to chunks for the
 * build (about 2 minutes per 100k chunks on 2 cores); run it in a maintenance window on a large table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ options: string[] | null }>`select c.reloptions as options
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'search' and c.relname = 'chunks_embedding_hnsw'`.execute(db);
  const options = rows[0]?.options ?? [];
  if (options.includes('m=32') && options.includes('ef_construction=128')) return; // built so already
  await sql`drop index if exists search.chunks_embedding_hnsw`.execute(db);
  await sql`create index chunks_embedding_hnsw on search.chunks
    using hnsw (embedding halfvec_cosine_ops) with (m = 32, ef_construction = 128)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index search.chunks_embedding_hnsw`.execute(db);
  await sql`create index chunks_embedding_hnsw on search.chunks
    using hnsw (embedding halfvec_cosine_ops) with (m = 16, ef_construction = 64)`.execute(db);
}
