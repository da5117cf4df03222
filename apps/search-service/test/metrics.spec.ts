import { describe, expect, it } from 'vitest';
import { call, syntheticDocuments } from './fixtures.js';
import { eventually, useHarness } from './harness.js';

const TENANT = 'org_metrics';
const h = useHarness();

const scrape = async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
const waiting = (body: string) =>
  Number(/bullmq_queue_jobs\{[^}]*queue="search-embed"[^}]*state="waiting"[^}]*\} (\d+)/.exec(body)?.[1]);

describe('/metrics', () => {
  it('exports the search-embed backlog and the dependencies, read at scrape time', async () => {
    const empty = await scrape();
    expect(waiting(empty)).toBe(0);
    expect(empty).toMatch(/bullmq_queue_metrics_up\{[^}]*queue="search-embed"[^}]*\} 1/);
    expect(empty).toMatch(/mna_dependency_up\{[^}]*dependency="postgres"[^}]*\} 1/);
    expect(empty).toMatch(/mna_dependency_up\{[^}]*dependency="redis"[^}]*\} 1/);

    // No worker yet: three accepted documents wait in the queue.
    const docs = syntheticDocuments(3, { prefix: 'metrics' });
    expect((await call(h, 'POST', '/v1/documents/bulk', TENANT, { documents: docs })).statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 1_100)); // the collector caches a reading for 1 s
    const backlog = await scrape();
    expect(waiting(backlog)).toBe(3);
    expect(backlog).toMatch(
      /bullmq_queue_oldest_waiting_age_seconds\{[^}]*queue="search-embed"[^}]*\} [0-9.]+/,
    );

    h.startWorker();
    await eventually(async () => {
      await new Promise((r) => setTimeout(r, 1_100));
      return waiting(await scrape()) === 0;
    });
  });
});
