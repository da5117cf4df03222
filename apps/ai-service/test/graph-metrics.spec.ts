import { createRedis } from '@mna/shared/kit';
import { internalHeaders, TEST_REDIS_URL } from '@mna/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiServices } from '../src/services.js';
import { startAiWorkers } from '../src/workers.js';
import { type AiHarness, startAi } from './harness.js';
import { company, edge, type SearchStandIn, startSearchStandIn, type TenantData } from './search-stand-in.js';

const [A, B, C, D] = ['A', 'B', 'C', 'D'].map((name) => company({ name }));
const tenant: TenantData = {
  companies: [A!, B!, C!, D!],
  edges: [edge(A!, B!, 0.9), edge(B!, C!, 0.9), edge(C!, D!, 0.9)],
  documents: [],
  version: 'g1',
};

describe('graph metrics precomputed by the worker per graph version', () => {
  let search: SearchStandIn;
  let ai: AiHarness;
  let stop: () => Promise<unknown>;
  let reader: ReturnType<typeof createAiServices>;

  beforeAll(async () => {
    search = await startSearchStandIn({ org_g: tenant });
    ai = await startAi({ searchUrl: search.url });
    const connection = createRedis(TEST_REDIS_URL, 'worker');
    reader = createAiServices({ ...ai, ...ai.queues });
    const workerServices = createAiServices({ ...ai, ...ai.queues });
    const workers = startAiWorkers({
      services: workerServices,
      connection,
      prefix: `${ai.prefix}:bull`,
      concurrency: 1,
      inlineBetweennessMaxNodes: 100,
      logger: ai.logger,
    });
    stop = async () => {
      await workers.close();
      await workerServices.search.close();
      await reader.search.close();
      connection.disconnect();
    };
  });
  afterAll(async () => {
    await stop();
    await ai.close();
    await search.close();
  });

  const waitForMetrics = async (version: string) => {
    const store = reader.graphMetrics;
    for (let i = 0; i < 100; i++) {
      const found = await store.get('org_g', version);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no metrics for ${version}`);
  };

  it('enqueues a job on a new graph version, stores whole-graph metrics, and serves them next', async () => {
    const get = async () =>
      ai.app.inject({
        method: 'GET',
        url: `/v1/ai/companies/${A!.id}/influence?depth=1`,
        headers: await internalHeaders({ tenantId: 'org_g' }),
      });
    const first = (await get()).json();
    // depth 1 around A: only A and B, so B is no broker in the neighbourhood.
    expect(first.nodes).toHaveLength(2);
    expect(first.brokers).toEqual([]);
    const stored = await waitForMetrics('g1');
    expect(stored.betweennessMethod).toBe('exact');
    expect(stored.betweenness[B!.id]).toBeGreaterThan(0);
    const second = (await get()).json();
    expect(second.cached).toBe(false);
    // Whole-graph betweenness now: B lies between A and C, D.
    expect(second.brokers[0].companyId).toBe(B!.id);
    expect((await get()).json().cached).toBe(true);

    tenant.edges.push(edge(A!, D!, 0.9));
    tenant.version = 'g2';
    await get();
    const next = await waitForMetrics('g2');
    expect(next.computedAt >= stored.computedAt).toBe(true);
  });
});
