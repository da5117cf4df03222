/**
 * A stand-in for search- and billing-service (the real contracts, canned answers) in its own process,
 * so the gateway benchmark measures the gateway and not an upstream sharing its event loop.
 * Prints `{"url": "..."}` once listening. Env: BENCH_INTERNAL_SECRET.
 */
import type { AddressInfo } from 'node:net';
import { billingRoutes, createLogger, createMetrics, getPlan, searchRoutes } from '@mna/shared';
import { createServiceApp, mountRoute } from '@mna/shared/kit';

const NOW = '2026-01-01T00:00:00.000Z';
const app = await createServiceApp({
  logger: createLogger({ service: 'bench-upstream', level: 'warn', pretty: false }),
  metrics: createMetrics('bench-upstream'),
  readiness: {},
  internalTokenSecret: process.env.BENCH_INTERNAL_SECRET!,
});
mountRoute(app, searchRoutes.getDocument, async ({ params }) => ({
  id: params.id,
  externalId: 'bench-1',
  kind: 'deal_memo' as const,
  title: 'Benchmark memo',
  metadata: { industry: 'software', region: 'EU', tags: ['bench'] },
  status: 'indexed' as const,
  chunkCount: 12,
  error: null,
  deadLettered: false,
  embeddingModel: 'local-idf-v2',
  createdAt: NOW,
  updatedAt: NOW,
}));
// Limits far above what the run can reach: the benchmark measures the proxy path, not 429s.
mountRoute(app, billingRoutes.entitlements, async ({ params }) => ({
  tenantId: params.tenantId,
  plan: 'enterprise' as const,
  status: 'active' as const,
  entitlements: { ...getPlan('enterprise').entitlements, requestsPerMinute: 100_000_000 },
  paid: true,
  periodEnd: null,
}));
mountRoute(app, billingRoutes.plans, async () => ({ plans: [] }));
// The same listen backlog as the gateway (LISTEN_BACKLOG), so both face the connection burst alike.
await app.listen({ host: '127.0.0.1', port: 0, backlog: 4_096 });
process.stdout.write(
  `${JSON.stringify({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` })}\n`,
);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
