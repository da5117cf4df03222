import type { ChildProcess } from 'node:child_process';
import { type FakeServer, startFakeServer } from '@mna/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chunkEmbeddingInput } from '../src/modules/indexing/indexing.processor.js';
import { embeddingsAnswer } from './fake-openai.js';
import { ingestAll, syntheticDocuments } from './fixtures.js';
import { createHarness, eventually, type Harness, spawnWorkerProcess } from './harness.js';

const TENANT = 'org_crash';
let fake: FakeServer;
let h: Harness;
let child: ChildProcess | null = null;
/** Every input of every request the fake answered with embeddings. */
const answered: string[] = [];
let hang = false;

beforeAll(async () => {
  fake = await startFakeServer(async ({ json }) => {
    const input = (json as { input: string[] }).input;
    if (hang) return { status: 200, delayMs: 120_000, body: {} };
    answered.push(...input);
    return embeddingsAnswer(json);
  });
  h = await createHarness({
    template: inject('templateDatabase'),
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` },
  });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await h.close();
  await fake.close();
});

async function chunkState() {
  return h.db.transaction().execute(async (trx) => {
    await sql`select set_config('app.tenant_id', ${TENANT}, true)`.execute(trx);
    const { rows } = await sql<{
      text: string;
      industry: string | null;
      region: string | null;
      tags: string[];
      embedded: boolean;
    }>`select text, industry, region, tags, embedding is not null as embedded from search.chunks`.execute(
      trx,
    );
    const docs = await sql<{ indexed: number; total: number }>`
      select count(*) filter (where status = 'indexed')::int as indexed, count(*)::int as total from search.documents`.execute(
      trx,
    );
    return { chunks: rows, ...docs.rows[0]! };
  });
}

describe('a worker killed mid-batch', () => {
  it('loses nothing: after restart every chunk is embedded exactly once', async () => {
    const docs = syntheticDocuments(60, { prefix: 'crash', seed: 7 });
    await ingestAll(h, TENANT, docs);
    // A worker process of its own (src/worker.ts), two jobs at a time, short locks.
    child = spawnWorkerProcess(h, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      EMBED_WORKER_CONCURRENCY: '2',
      EMBED_LOCK_DURATION_MS: '1000',
    });
    // Let it index some documents, then make the next batch hang and kill the process during it.
    await eventually(async () => (await chunkState()).indexed >= 10, 30_000);
    hang = true;
    const requestsBefore = fake.requests.length;
    await eventually(async () => fake.requests.length > requestsBefore, 10_000);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    child = null;
    const midway = await chunkState();
    expect(midway.indexed).toBeLessThan(midway.total);

    hang = false;
    h.startWorker(undefined, 1000);
    await eventually(async () => {
      const s = await chunkState();
      return s.indexed === s.total;
    }, 40_000);
    const final = await chunkState();
    expect(final.chunks.every((c) => c.embedded)).toBe(true);
    // Each chunk's text was answered exactly once across both workers: nothing embedded twice.
    const counts = new Map<string, number>();
    for (const text of answered) counts.set(text, (counts.get(text) ?? 0) + 1);
    for (const c of final.chunks) expect(counts.get(chunkEmbeddingInput(c))).toBe(1);
    expect(answered.length).toBe(final.chunks.length);
  }, 120_000);
});
