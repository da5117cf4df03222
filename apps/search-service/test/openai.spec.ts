import { type FakeServer, startFakeServer } from '@mna/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEmbedEnqueuer } from '../src/modules/indexing/indexing.queue.js';
import { requeueDead } from '../src/modules/indexing/requeue.js';
import { embeddingsAnswer, openAiError } from './fake-openai.js';
import { call } from './fixtures.js';
import { createHarness, eventually, type Harness } from './harness.js';

const TENANT = 'org_openai';
let fake: FakeServer;
let h: Harness;

const success = (json: unknown) => embeddingsAnswer(json);
const error = openAiError;

const doc = (externalId: string, content: string) => ({
  externalId,
  kind: 'news',
  title: `Headline ${externalId}`,
  content,
});

async function getDoc(id: string) {
  return (await call(h, 'GET', `/v1/documents/${id}`, TENANT)).json() as {
    status: string;
    deadLettered: boolean;
    error: string | null;
    chunkCount: number;
  };
}

async function embeddedChunks(documentId: string) {
  return h.db.transaction().execute(async (trx) => {
    await sql`select set_config('app.tenant_id', ${TENANT}, true)`.execute(trx);
    const { rows } = await sql<{ seq: number; embedded: boolean }>`
      select seq, embedding is not null as embedded from search.chunks where document_id = ${documentId} order by seq`.execute(
      trx,
    );
    return rows;
  });
}

beforeAll(async () => {
  fake = await startFakeServer(({ json }) => success(json));
  h = await createHarness({
    template: inject('templateDatabase'),
    env: {
      OPENAI_API_KEY: 'sk-test-key',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      EMBED_MAX_RETRIES: '3',
      EMBED_JOB_ATTEMPTS: '2',
    },
  });
  h.startWorker();
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

describe('OpenAI embeddings through the real SDK', () => {
  it('waits out a 429 with Retry-After, backs off a 500, then stores the batch once', async () => {
    let calls = 0;
    const at: number[] = [];
    fake.setHandler(({ json }) => {
      calls++;
      at.push(Date.now());
      if (calls === 1) return error(429, { 'retry-after': '1' });
      if (calls === 2) return error(500);
      return success(json);
    });
    const before = fake.requests.length;
    const content = Array.from({ length: 30 }, (_, i) => `Sentence ${i} about a takeover bid.`).join(' ');
    const { id } = (await call(h, 'POST', '/v1/documents', TENANT, doc('retry-1', content))).json() as {
      id: string;
    };
    await eventually(async () => (await getDoc(id)).status === 'indexed');
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950); // Retry-After: 1 was honoured
    expect(sent[0]!.headers.authorization).toBe('Bearer sk-test-key');
    expect((sent[0]!.json as { model: string }).model).toBe('text-embedding-3-small');
    // The three requests carried the same inputs: one batch, retried.
    expect(sent[1]!.body).toBe(sent[0]!.body);
    expect(sent[2]!.body).toBe(sent[0]!.body);
    const chunks = await embeddedChunks(id);
    expect(chunks.length).toBe((await getDoc(id)).chunkCount);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.embedded)).toBe(true);
    expect(new Set(chunks.map((c) => c.seq)).size).toBe(chunks.length);
  });

  it('dead-letters a document that keeps failing, shows it, and the admin requeue recovers it', async () => {
    fake.setHandler(() => error(503));
    const { id } = (
      await call(h, 'POST', '/v1/documents', TENANT, doc('dead-1', 'A doomed press release.'))
    ).json() as {
      id: string;
    };
    const dead = await eventually(async () => {
      const d = await getDoc(id);
      return d.deadLettered ? d : null;
    }, 30_000);
    expect(dead.status).toBe('failed');
    expect(dead.error).toContain('503');

    fake.setHandler(({ json }) => success(json));
    const enqueueEmbed = createEmbedEnqueuer(h.embedQueue, { attempts: 2, backoffMs: 50 });
    expect(await requeueDead({ db: h.db, enqueueEmbed }, TENANT)).toEqual({ documents: 1, companies: 0 });
    await eventually(async () => (await getDoc(id)).status === 'indexed');
    const again = await getDoc(id);
    expect(again.deadLettered).toBe(false);
    expect(again.error).toBeNull();
  });

  it('dead-letters at once on a permanent error (400) without retrying', async () => {
    const before = fake.requests.length;
    fake.setHandler(() => error(400));
    const { id } = (
      await call(h, 'POST', '/v1/documents', TENANT, doc('bad-1', 'Rejected by the vendor.'))
    ).json() as {
      id: string;
    };
    await eventually(async () => (await getDoc(id)).deadLettered);
    expect(fake.requests.length - before).toBe(1);
    fake.setHandler(({ json }) => success(json));
  });

  it('caches the query embedding in Redis by provider, model and text', async () => {
    const before = fake.requests.length;
    for (let i = 0; i < 3; i++) {
      const res = await call(h, 'POST', '/v1/search', TENANT, { query: 'takeover bid', mode: 'semantic' });
      expect(res.statusCode).toBe(200);
    }
    expect(fake.requests.length - before).toBe(1);
    const keys = await h.redis.keys(`${h.prefix}:search:qemb:openai:text-embedding-3-small:*`);
    expect(keys).toHaveLength(1);
  });
});
