import { createDb, withTenant } from '@mna/shared/kit';
import { APP_ROLE, APP_ROLE_PASSWORD, urlFor } from '@mna/testing';
import { sql } from 'kysely';
import pg from 'pg';
import type { SearchDatabase } from '../../apps/search-service/src/db/schema.js';
import { toVectorLiteral } from '../../apps/search-service/src/modules/embeddings/embedder.js';
import {
  LOCAL_IDF_MODEL,
  localIdfEmbedding,
} from '../../apps/search-service/src/modules/embeddings/local-idf-embedder.js';
import { chunkConditions, semanticQuery } from '../../apps/search-service/src/modules/search/search.sql.js';
import { benchQueries } from './corpus.js';
import { machine, percentile, timeConcurrently } from './setup.js';

// What this machine can do at best, below the service: the database part of a semantic search alone
// (the service's own SQL in a tenant-bound transaction as the application role; no HTTP, no zod, no
// audit row) on the corpus `latency.ts` kept with BENCH_KEEP=1, for several hnsw.ef_search values:
// recall@10 against the exact answers latency.ts stored, latency on one connection, and latency and
// throughput with BENCH_CLIENTS connections. Then the HNSW insert alone: milliseconds per vector for
// several (m, ef_construction), with one and two writers, on a scratch table of the corpus's vectors.
//   BENCH_KEEP=1 pnpm exec tsx search/latency.ts   (once, loads the corpus)
//   pnpm exec tsx search/ceiling.ts                 BENCH_EFS=100,200,400  BENCH_INSERT=32/128,16/64
const N = Number(process.env.BENCH_CHUNKS ?? 100_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const EFS = (process.env.BENCH_EFS ?? '100,200,300,400').split(',').filter(Boolean).map(Number);
const INSERT = (process.env.BENCH_INSERT ?? '32/128,16/64').split(',').filter(Boolean);
const INSERT_BASE = Number(process.env.BENCH_INSERT_BASE ?? 10_000);
const INSERT_ROWS = Number(process.env.BENCH_INSERT_ROWS ?? 2_000);
const TENANT = 'org_bench';
const NAME = `mna_bench_search_${N}_topics`;

const owner = new pg.Client({ connectionString: urlFor(NAME) });
await owner.connect();
const db = createDb<SearchDatabase>({
  connectionString: urlFor(NAME, { name: APP_ROLE, password: APP_ROLE_PASSWORD }),
  max: CLIENTS,
});

/** The semantic query of one text, as the service runs it, returning the top 10 document ids. */
async function search(text: string, ef: number): Promise<string[]> {
  return withTenant(db, TENANT, async (trx) => {
    await sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true),
      set_config('hnsw.ef_search', ${String(ef)}, true)`.execute(trx);
    const { rows } = await semanticQuery({
      conds: chunkConditions(TENANT, new Date(), {}),
      model: LOCAL_IDF_MODEL,
      vector: toVectorLiteral(localIdfEmbedding(text)),
      boundary: null,
      candidates: 55,
      limit: 10,
      tenantId: TENANT,
    }).execute(trx);
    return rows.slice(0, 10).map((r) => r.document_id);
  });
}

/** Every query once, `clients` at a time: sorted latencies, queries per second and the answers. */
async function run(queries: string[], ef: number, clients: number) {
  const answers = new Map<string, string[]>();
  const { latencies, perSecond } = await timeConcurrently(queries, clients, async (q) => {
    answers.set(q, await search(q, ef));
  });
  return { latencies, qps: perSecond, answers };
}

const ms = (sorted: number[], p: number) => percentile(sorted, p).toFixed(1);

try {
  const { rows: counted } = await owner.query<{ n: number }>('select count(*)::int as n from search.chunks');
  if (counted[0]!.n !== N)
    throw new Error(`${NAME} holds ${counted[0]!.n} chunks: run latency.ts with BENCH_KEEP=1`);
  const { rows: index } = await owner.query<{ options: string[] }>(
    `select c.reloptions as options from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'search' and c.relname = 'chunks_embedding_hnsw'`,
  );
  const queries = benchQueries(QUERIES);
  const exact = new Map<string, string[]>();
  for (const q of queries) {
    const { rows } = await owner.query<{ ids: string[] }>(
      'select ids from public.bench_exact where key = $1',
      [`unfiltered|${q}`],
    );
    if (!rows[0]) throw new Error('no exact answers stored: run latency.ts with BENCH_KEEP=1 first');
    exact.set(q, rows[0].ids);
  }
  const lines: string[] = [];
  for (const ef of EFS) {
    await run(queries.slice(0, 40), ef, CLIENTS); // every connection warm (shared buffers mapped)
    const one = await run(queries, ef, 1);
    const many = await run(queries, ef, CLIENTS);
    let found = 0;
    let total = 0;
    for (const [q, ids] of exact) {
      const got = new Set(many.answers.get(q));
      found += ids.filter((id) => got.has(id)).length;
      total += ids.length;
    }
    lines.push(
      `| ${ef} | ${(found / total).toFixed(3)} | ${ms(one.latencies, 50)} | ${ms(one.latencies, 95)} | ${one.qps.toFixed(0)} | ${ms(many.latencies, 50)} | ${ms(many.latencies, 95)} | ${ms(many.latencies, 99)} | ${many.qps.toFixed(0)} |`,
    );
    console.error(lines.at(-1));
  }
  console.log(
    `semantic query alone (database part of the service's request), ${N} chunks, HNSW ${index[0]?.options?.join(' ')}; ${QUERIES} queries; ${new Date().toISOString()}; ${await machine()}`,
  );
  console.log(
    `| ef_search | recall@10 | 1 connection p50 ms | p95 ms | queries/s | ${CLIENTS} connections p50 ms | p95 ms | p99 ms | queries/s |\n|---|---|---|---|---|---|---|---|---|`,
  );
  console.log(lines.join('\n'));

  // The HNSW insert alone: a scratch table of INSERT_BASE vectors with the index built, then
  // INSERT_ROWS more inserted by one writer, then by two writers with half each.
  const insertLines: string[] = [];
  for (const spec of INSERT) {
    const [m, efc] = spec.split('/').map(Number);
    // Each run inserts vectors the graph does not hold yet (a duplicate only adds a heap pointer).
    let offset = INSERT_BASE;
    const timed = async (writers: number) => {
      const clients = await Promise.all(
        Array.from({ length: writers }, async () => {
          const c = new pg.Client({ connectionString: urlFor(NAME) });
          await c.connect();
          return c;
        }),
      );
      const per = Math.floor(INSERT_ROWS / writers);
      const from = offset;
      offset += per * writers;
      const t0 = performance.now();
      await Promise.all(
        clients.map((c, w) =>
          c.query(
            `insert into public.hnsw_insert_probe (embedding)
             select embedding from search.chunks order by id offset $1 limit $2`,
            [from + w * per, per],
          ),
        ),
      );
      const elapsed = performance.now() - t0;
      await Promise.all(clients.map((c) => c.end()));
      return elapsed / (per * writers);
    };
    await owner.query(`drop table if exists public.hnsw_insert_probe;
      create table public.hnsw_insert_probe (id bigserial primary key, embedding halfvec(1536));
      insert into public.hnsw_insert_probe (embedding) select embedding from search.chunks order by id limit ${INSERT_BASE};
      set maintenance_work_mem = '2GB';
      create index on public.hnsw_insert_probe using hnsw (embedding halfvec_cosine_ops)
        with (m = ${m}, ef_construction = ${efc})`);
    const oneWriter = await timed(1);
    const twoWriters = await timed(2);
    insertLines.push(
      `| ${m} | ${efc} | ${oneWriter.toFixed(2)} | ${Math.round(60_000 / oneWriter).toLocaleString('en-US')} | ${twoWriters.toFixed(2)} | ${Math.round(60_000 / twoWriters).toLocaleString('en-US')} |`,
    );
    console.error(insertLines.at(-1));
  }
  await owner.query('drop table if exists public.hnsw_insert_probe');
  if (insertLines.length > 0) {
    console.log(
      `\nHNSW insert alone: ${INSERT_ROWS} vectors into a graph of ${INSERT_BASE.toLocaleString('en-US')} (wall time per vector, so two writers show how inserts scale on this machine)`,
    );
    console.log(
      '| m | ef_construction | 1 writer ms/vector | vectors/min | 2 writers ms/vector | vectors/min |\n|---|---|---|---|---|---|',
    );
    console.log(insertLines.join('\n'));
  }
} finally {
  await db.destroy();
  await owner.end();
}
