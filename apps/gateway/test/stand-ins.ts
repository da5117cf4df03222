import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AppError,
  aiRoutes,
  billingRoutes,
  createLogger,
  createMetrics,
  getPlan,
  type PlanId,
  type Principal,
  ServiceUnavailableError,
  searchRoutes,
} from '@mna/shared';
import { createServiceApp, mountRoute, type ServiceApp } from '@mna/shared/kit';
import { createLogCapture, TEST_INTERNAL_SECRET } from '@mna/testing';

/** What a stand-in service saw of one request. */
export type Seen = {
  route: string;
  principal: Principal | null;
  headers: IncomingHttpHeaders;
  body: unknown;
};

export type StandIn = {
  app: ServiceApp;
  url: string;
  seen: Seen[];
  logs: Record<string, unknown>[];
  /** Milliseconds the next calls wait before answering (a hanging upstream). */
  delayMs: number;
  /** Only calls to this route template wait (all when unset). */
  delayRoute?: string | undefined;
};

class UnprocessableStandInError extends AppError {
  constructor() {
    super(422, 'unprocessable', 'Unprocessable', { detail: 'The stand-in refuses this deal.' });
  }
}

const ID = '8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
const NOW = '2026-01-01T00:00:00.000Z';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function standIn(service: string, mount: (app: ServiceApp, s: StandIn) => void): Promise<StandIn> {
  const capture = createLogCapture();
  const app = await createServiceApp({
    logger: createLogger({ service, level: 'info', destination: capture.stream }),
    metrics: createMetrics(service),
    readiness: {},
    internalTokenSecret: TEST_INTERNAL_SECRET,
  });
  const s: StandIn = { app, url: '', seen: [], logs: capture.lines, delayMs: 0 };
  app.addHook('preHandler', async (request) => {
    s.seen.push({
      route: request.routeOptions.url ?? '',
      principal: request.principal,
      headers: request.headers,
      body: request.body,
    });
    const delayed = s.delayRoute === undefined || s.delayRoute === request.routeOptions.url;
    if (s.delayMs > 0 && delayed) await sleep(s.delayMs);
  });
  mount(app, s);
  await app.listen({ port: 0, host: '127.0.0.1' });
  s.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return s;
}

const document = {
  id: ID,
  externalId: 'ext-1',
  kind: 'deal_memo' as const,
  title: 'Memo',
  metadata: {},
  status: 'indexed' as const,
  chunkCount: 3,
  error: null,
  deadLettered: false,
  embeddingModel: 'local-idf-v2',
  createdAt: NOW,
  updatedAt: NOW,
};

/** search-service stand-in: the real contracts, canned answers. */
export const startSearch = () =>
  standIn('search-service', (app) => {
    mountRoute(app, searchRoutes.getDocument, async ({ params }) => ({ ...document, id: params.id }));
    mountRoute(app, searchRoutes.ingestDocument, async () => ({ id: ID, status: 'queued' as const }));
    mountRoute(app, searchRoutes.search, async () => ({ results: [], nextCursor: null, tookMs: 1 }));
  });

/** ai-service stand-in, including a bare MCP endpoint. */
export const startAi = () =>
  standIn('ai-service', (app) => {
    mountRoute(app, aiRoutes.influence, async ({ params }) => ({
      companyId: params.id,
      nodes: [],
      brokers: [],
      warmPaths: [],
      computedAt: NOW,
      cached: false,
    }));
    // Analyses are accepted as jobs; a deal whose target is `fail` makes the service refuse it (422).
    mountRoute(app, aiRoutes.analyzeDeal, async ({ body }, reply) => {
      if (body.target === 'fail') throw new UnprocessableStandInError();
      reply.code(202);
      // The contract's 202 shape; mountRoute's handler type names the 200 one (the synchronous answer).
      return { jobId: `job_${Math.random().toString(36).slice(2, 10)}`, status: 'queued' } as never;
    });
    mountRoute(app, aiRoutes.getJob, async ({ params }) => ({
      jobId: params.id,
      status: 'queued' as const,
      result: null,
      error: null,
    }));
    app.post('/v1/mcp', async (request) => ({
      jsonrpc: '2.0',
      id: 1,
      result: { tenant: request.principal?.tenantId },
    }));
  });

/** A tenant's billing state in the stand-in: a paid plan, or `none` (no subscription: nothing paid). */
export type StandInPlan = PlanId | 'none';

/** billing-service stand-in: entitlements from a tenant→plan map; the webhook keeps its raw body. */
export const startBilling = (plans: Record<string, StandInPlan>) =>
  standIn('billing-service', (app, s) => {
    mountRoute(app, billingRoutes.entitlements, async ({ params }) => {
      const known = plans[params.tenantId] ?? 'solo';
      const plan = known === 'none' ? 'solo' : known;
      return {
        tenantId: params.tenantId,
        plan,
        status: known === 'none' ? ('none' as const) : ('active' as const),
        entitlements: getPlan(plan).entitlements,
        paid: known !== 'none',
        periodEnd: null,
      };
    });
    mountRoute(app, billingRoutes.plans, async () => ({ plans: [] }));
    mountRoute(app, billingRoutes.portal, async () => {
      throw new ServiceUnavailableError('Billing is not configured: STRIPE_SECRET_KEY is not set.');
    });
    mountRoute(app, billingRoutes.analytics, async () => ({
      period: { from: NOW, to: NOW },
      mrr: {},
      arr: {},
      subscribers: [],
      movements: {},
      logoChurnRate: 0,
      revenueChurnRate: {},
      dunning: { started: 0, recovered: 0, recoveryRate: 0, recoveredRevenue: {} },
    }));
    app.register(async (child) => {
      child.removeAllContentTypeParsers();
      child.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
      mountRoute(child as unknown as ServiceApp, billingRoutes.stripeWebhook, async ({ request }) => {
        s.seen.push({
          route: 'raw',
          principal: null,
          headers: request.headers,
          body: (request.body as Buffer).toString('utf8'),
        });
        return { received: true as const, duplicate: false };
      });
    });
  });
