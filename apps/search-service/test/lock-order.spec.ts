import { describe, expect, it } from 'vitest';
import { call } from './fixtures.js';
import { eventually, useHarness } from './harness.js';

// The worker updated a document's chunks and then the document; a re-ingest and a DELETE took the
// document and then its chunks (the cascade). Both orders at once deadlocked, and the loser answered
// 500 (`deadlock detected`). Now every writer takes the document row before its chunks, and the kit's
// transaction helper retries what is left (40P01, 40001).
const TENANT = 'org_locks';
const h = useHarness();

const doc = (externalId: string, i: number) => ({
  externalId,
  kind: 'note',
  title: `Version ${i}`,
  content: `Paragraph ${i}. `.repeat(400),
});

describe('concurrent writers of one document', () => {
  it('ten concurrent ingests of one new externalId, with the worker indexing: no 500, one document', async () => {
    h.startWorker();
    const statuses: number[] = [];
    for (let round = 0; round < 8; round++) {
      // Arrivals spread over ~100 ms, so later ones land while the worker writes the first version.
      const answers = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, i * 10));
          return call(h, 'POST', '/v1/documents', TENANT, doc(`race-${round}`, i));
        }),
      );
      statuses.push(...answers.map((a) => a.statusCode));
      const ids = new Set(answers.filter((a) => a.statusCode === 202).map((a) => a.json().id));
      expect(ids.size).toBe(1);
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 202)).toBe(true);
  }, 60_000);

  it('a DELETE right after the create, while the worker indexes it: 204 and the document is gone', async () => {
    h.startWorker();
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const created = await call(h, 'POST', '/v1/documents', TENANT, doc(`gone-${i}`, i));
      expect(created.statusCode).toBe(202);
      const id = created.json().id as string;
      // Let the worker reach the document's write before deleting it.
      await new Promise((r) => setTimeout(r, (i % 5) * 15));
      const deleted = await call(h, 'DELETE', `/v1/documents/${id}`, TENANT);
      statuses.push(deleted.statusCode);
      if (deleted.statusCode === 204) {
        expect((await call(h, 'GET', `/v1/documents/${id}`, TENANT)).statusCode).toBe(404);
      }
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 204)).toBe(true);
    await eventually(async () => (await h.embedQueue.getJobCounts('active', 'waiting')).waiting === 0);
  }, 60_000);
});
