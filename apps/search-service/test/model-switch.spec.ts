import type { Company, Document, DocumentInput, SearchResponse } from '@mna/shared';
import { createDb } from '@mna/shared/kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SearchDatabase } from '../src/db/schema.js';
import { LOCAL_IDF_MODEL, localIdfEmbedding } from '../src/modules/embeddings/local-idf-embedder.js';
import { createEmbedEnqueuer } from '../src/modules/indexing/indexing.queue.js';
import { reembedStaleVectors } from '../src/modules/indexing/reembed.js';
import { call } from './fixtures.js';
import { createHarness, eventually, type Harness, silentLogger } from './harness.js';

// A deployment embedded with local-hash-v1 switches to local-idf-v2: the new API process compares only
// v2 vectors while the worker converts the old ones through the queue, keyword search never changes,
// and at the end every vector is v2 and semantic search finds each topic again.
const T = 'org_model_switch';
const OLD = 'local-hash-v1';
const TOPICS = [
  'offshore wind turbines and wind farm maintenance',
  'card payments processing for online merchants',
  'oncology drug trials in biotechnology',
  'freight forwarding and warehouse logistics',
];
const docs: DocumentInput[] = TOPICS.flatMap((topic, t) =>
  Array.from({ length: 10 }, (_, i) => ({
    externalId: `t${t}-${i}`,
    kind: 'note' as const,
    title: `Note ${t}-${i}`,
    content: `A company working on ${topic}. Memo number ${i}.`,
  })),
);

let before: Harness; // API and worker still on the old model
let after: Harness; // the same database after the switch
let owner: ReturnType<typeof createDb<SearchDatabase>>;
const ids = new Map<string, string>(); // externalId → id

const search = async (h: Harness, query: string, mode: string) => {
  const res = await call(h, 'POST', '/v1/search', T, { query, mode, limit: 40 });
  expect(res.statusCode).toBe(200);
  return (res.json() as SearchResponse).results;
};
const modelsByDocument = async () => {
  const { rows } = await sql<{ id: string; model: string | null }>`
    select document_id as id, max(embedding_model) as model from search.chunks
    where tenant_id = ${T} group by document_id`.execute(owner);
  return new Map(rows.map((r) => [r.id, r.model]));
};
const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

beforeAll(async () => {
  before = await createHarness({ template: inject('templateDatabase'), env: { EMBED_LOCAL_MODEL: OLD } });
  owner = createDb<SearchDatabase>({ connectionString: before.ownerUrl!, max: 2 });
  before.startWorker();
  const res = await call(before, 'POST', '/v1/documents/bulk', T, { documents: docs });
  expect(res.statusCode).toBe(202);
  for (const [i, id] of (res.json() as { ids: string[] }).ids.entries()) ids.set(docs[i]!.externalId, id);
  for (const [ref, name, description] of [
    ['wind-a', 'Gale Power', 'offshore wind farm developer'],
    ['wind-b', 'North Sea Wind', 'offshore wind turbines operator'],
    ['pay', 'Paystream', 'card payments for merchants'],
  ] as const) {
    const c = await call(before, 'POST', '/v1/companies', T, { externalId: ref, name, description });
    expect(c.statusCode).toBe(201);
    ids.set(ref, (c.json() as Company).id);
  }
  await eventually(async () => {
    const { rows } = await sql<{ n: number }>`select
      (select count(*) from search.chunks where tenant_id = ${T} and embedding is null)
      + (select count(*) from search.companies where tenant_id = ${T} and embedding is null) as n`.execute(
      owner,
    );
    return Number(rows[0]!.n) === 0;
  });
  after = await createHarness({
    template: '',
    databaseUrl: before.databaseUrl,
    env: { EMBED_LOCAL_MODEL: LOCAL_IDF_MODEL, EMBED_WORKER_CONCURRENCY: '1' },
  });
}, 60_000);

afterAll(async () => {
  await after?.close();
  await owner?.destroy();
  await before?.close();
});

describe('switching the embedding model', () => {
  it('records the model with every vector, and GET /v1/documents/:id shows it', async () => {
    const doc = (await call(before, 'GET', `/v1/documents/${ids.get('t0-0')}`, T)).json() as Document;
    expect(doc.status).toBe('indexed');
    expect(doc.embeddingModel).toBe(OLD);
    expect(new Set((await modelsByDocument()).values())).toEqual(new Set([OLD]));
  });

  it('right after the switch, semantic search finds nothing of the old model and keyword is unchanged', async () => {
    expect(await search(after, TOPICS[0]!, 'semantic')).toEqual([]);
    expect(await search(before, TOPICS[0]!, 'semantic')).not.toEqual([]);
    const keyword = async (h: Harness) =>
      (await search(h, 'wind turbines', 'keyword')).map((r) => r.documentId);
    expect(await keyword(after)).toEqual(await keyword(before));
    // Hybrid still answers from its keyword leg, with no semantic score from a foreign vector.
    const hybrid = await search(after, 'wind turbines', 'hybrid');
    expect(hybrid.length).toBeGreaterThan(0);
    expect(hybrid.every((r) => r.scores.semantic === undefined)).toBe(true);
    const similar = await call(after, 'GET', `/v1/companies/${ids.get('wind-a')}/similar`, T);
    expect((similar.json() as { companies: unknown[] }).companies).toHaveLength(2); // old-model peers only
  });

  it('re-embeds in the background through the queue; mid-way, results come only from new-model vectors', async () => {
    const sweep = () =>
      reembedStaleVectors({
        owner,
        db: after.db,
        enqueueEmbed: createEmbedEnqueuer(after.embedQueue, { attempts: 3, backoffMs: 50 }),
        model: LOCAL_IDF_MODEL,
        logger: silentLogger(),
      });
    expect(await sweep()).toBe(1);
    const queued = await after.embedQueue.getWaitingCount();
    expect(queued).toBe(docs.length + 3);
    await sweep(); // run again (a second worker, a restart): the same jobs are not added twice
    expect(await after.embedQueue.getWaitingCount()).toBe(queued);

    // One job at a time, paused after a few: a switch caught in the middle.
    const worker = after.startWorker();
    let done = 0;
    let paused: Promise<void> | undefined;
    worker.on('completed', () => {
      if (++done === 5) paused = worker.pause(); // resolves once the job in hand is finished
    });
    await eventually(async () => paused !== undefined);
    await paused;
    const models = await modelsByDocument();
    const converted = [...models].filter(([, m]) => m === LOCAL_IDF_MODEL).map(([id]) => id);
    expect(converted.length).toBeGreaterThan(0);
    expect(converted.length).toBeLessThan(docs.length);
    for (const topic of TOPICS) {
      const results = await search(after, topic, 'semantic');
      expect(results.map((r) => r.documentId).sort()).toEqual(
        converted.filter((id) => results.some((r) => r.documentId === id)).sort(),
      );
      // Each score is the cosine of two new-model vectors (halfvec storage rounds to ~1e-3).
      const q = localIdfEmbedding(topic);
      for (const r of results) {
        const doc = docs.find((d) => ids.get(d.externalId) === r.documentId)!;
        expect(r.scores.semantic).toBeCloseTo(
          cosine(q, localIdfEmbedding(`${doc.title}\n\n${doc.content}`)),
          2,
        );
      }
      const stillOld = (await search(before, topic, 'semantic')).map((r) => r.documentId);
      expect(stillOld.every((id) => models.get(id) === OLD)).toBe(true);
    }
    const doc = (await call(after, 'GET', `/v1/documents/${converted[0]}`, T)).json() as Document;
    expect(doc).toMatchObject({ status: 'indexed', embeddingModel: LOCAL_IDF_MODEL });

    worker.resume();
    await eventually(async () =>
      [...(await modelsByDocument()).values()].every((m) => m === LOCAL_IDF_MODEL),
    );
    await eventually(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from search.companies
        where tenant_id = ${T} and embedding_model is distinct from ${LOCAL_IDF_MODEL}`.execute(owner);
      return rows[0]!.n === 0;
    });
    expect(await sweep()).toBe(0);
  });

  it('after the switch, semantic search finds every topic again and similar companies are back', async () => {
    for (const [t, topic] of TOPICS.entries()) {
      const top = (await search(after, topic, 'semantic')).slice(0, 10).map((r) => r.documentId);
      const expected = docs
        .filter((d) => d.externalId.startsWith(`t${t}-`))
        .map((d) => ids.get(d.externalId));
      expect(top.sort()).toEqual(expected.sort());
    }
    const doc = (await call(after, 'GET', `/v1/documents/${ids.get('t3-9')}`, T)).json() as Document;
    expect(doc.embeddingModel).toBe(LOCAL_IDF_MODEL);
    const similar = (await call(after, 'GET', `/v1/companies/${ids.get('wind-a')}/similar`, T)).json() as {
      companies: Array<{ company: Company }>;
    };
    expect(similar.companies[0]?.company.id).toBe(ids.get('wind-b'));
  });
});
