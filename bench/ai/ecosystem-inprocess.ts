// The AI service's own cost per partner search and influence map on 20,000 companies / 100,000
// relationships with precomputed centrality: the services are called in process and search-service's
// answers come from memory (no HTTP, no stand-in CPU), so only ai-service work is timed.
// Run: cd bench && pnpm exec tsx ai/ecosystem-inprocess.ts
import os from 'node:os';
import {
  type Company,
  createLogger,
  createMetrics,
  GraphSchema,
  type Principal,
  type Relationship,
} from '@mna/shared';
import { createDb, createRedis } from '@mna/shared/kit';
import { deleteKeysWithPrefix, TEST_INTERNAL_SECRET, testPrincipal, uniquePrefix } from '@mna/testing';
import { configSpec } from '../../apps/ai-service/src/config.js';
import type { AiDatabase } from '../../apps/ai-service/src/db/schema.js';
import { computeGraphMetrics } from '../../apps/ai-service/src/modules/ecosystem/centrality.js';
import { buildGraph } from '../../apps/ai-service/src/modules/ecosystem/graph.js';
import type { SearchClient } from '../../apps/ai-service/src/modules/ecosystem/search-client.js';
import { createAiQueues } from '../../apps/ai-service/src/queues.js';
import { createAiServices } from '../../apps/ai-service/src/services.js';
import { profileSimilarity } from '../../apps/ai-service/test/search-stand-in.js';
import { syntheticEcosystem } from '../../apps/ai-service/test/synthetic-ecosystem.js';
import { migratedAiDatabase } from './in-process-ai.js';
import { timeSequential } from './stats.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const eco = syntheticEcosystem({ companies: 20_000, edges: 100_000, seed: 2026 });
const byId = new Map(eco.companies.map((c) => [c.id, c]));
const byNode = new Map<string, Relationship[]>();
for (const e of eco.edges)
  for (const id of [e.fromCompanyId, e.toCompanyId]) byNode.set(id, [...(byNode.get(id) ?? []), e]);
const VERSION = 'inprocess-v1';

function neighbourhood(companyId: string, depth: number) {
  const ids = new Set([companyId]);
  let frontier = [companyId];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const e of byNode.get(id) ?? []) {
        const n = e.fromCompanyId === id ? e.toCompanyId : e.fromCompanyId;
        if (ids.has(n)) continue;
        ids.add(n);
        next.push(n);
      }
    frontier = next;
  }
  const edges = new Map<string, Relationship>();
  for (const id of ids)
    for (const e of byNode.get(id) ?? [])
      if (ids.has(e.fromCompanyId) && ids.has(e.toCompanyId)) edges.set(e.id, e);
  // Round-trip through JSON and the contract's schema, as the service client does with a real answer.
  return GraphSchema.parse(
    JSON.parse(
      JSON.stringify({
        nodes: [...ids].map((id) => byId.get(id)!),
        edges: [...edges.values()],
        version: VERSION,
      }),
    ),
  );
}

// Similar companies precomputed per company on first use (search-service would answer from pgvector).
const similar = (id: string) => {
  const self = byId.get(id)!;
  return eco.companies
    .filter((c) => c.id !== id && c.industry === self.industry)
    .slice(0, 100)
    .map((company: Company) => ({ company, similarity: profileSimilarity(self, company) }));
};

const search = {
  getCompany: async (_p: unknown, id: string) => byId.get(id)!,
  similarCompanies: async (_p: unknown, id: string) => ({ companies: similar(id) }),
  graph: async (_p: unknown, q: { companyId?: string; depth?: number }) =>
    neighbourhood(q.companyId!, q.depth ?? 3),
  search: async () => ({ results: [], nextCursor: null, tookMs: 0 }),
  getDocument: async () => {
    throw new Error('unused');
  },
  close: async () => {},
} as unknown as SearchClient;

const prefix = uniquePrefix('ai-inproc');
const config = configSpec.schema.parse({
  NODE_ENV: 'test',
  INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
  REDIS_URL,
  REDIS_PREFIX: prefix,
});
const redis = createRedis(REDIS_URL);
// Partner searches write their audit row: a throwaway database with the ai schema.
const database = await migratedAiDatabase();
const db = createDb<AiDatabase>({ connectionString: database.appUrl, max: 1 });
const queues = createAiQueues(redis, prefix);
const services = createAiServices({
  db,
  config,
  logger: createLogger({ service: 'ai-service', level: 'silent' }),
  metrics: createMetrics('ai-service'),
  redis,
  ...queues,
  graphQueue: null,
  search,
});
const principal = testPrincipal({ tenantId: 'org_inproc' }) as Principal;
try {
  const metrics = computeGraphMetrics(buildGraph({ nodes: eco.companies, edges: eco.edges }), {
    exactMaxNodes: 0,
    pivots: 16,
  });
  await services.graphMetrics.put(principal.tenantId, VERSION, metrics);
  const ids = eco.companies.map((c) => c.id);
  const pick = (i: number) => ids[(Math.abs(i) * 7919 + 13) % ids.length]!;
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length}x ${os.cpus()[0]?.model}`,
    load: os.loadavg().map((l) => Math.round(l * 10) / 10),
    partners: await timeSequential(200, 10, (i) =>
      services.partners.findPartners(principal, { companyId: pick(i), goal: 'partnership', limit: 10 }),
    ),
    influenceDepth2: await timeSequential(200, 10, (i) =>
      services.influence.influence(principal, pick(i + 3000), { depth: 2, to: pick(i + 6000) }),
    ),
    influenceDepth3: await timeSequential(100, 5, (i) =>
      services.influence.influence(principal, pick(i + 9000), { depth: 3 }),
    ),
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await queues.dealQueue.close();
  await queues.graphQueue.close();
  await deleteKeysWithPrefix(prefix, REDIS_URL);
  redis.disconnect();
  await db.destroy();
  await database.drop();
}
