/**
 * The real gateway in front of the real search and billing services, each built by its own test
 * harness (real Postgres + pgvector, real Redis, the search embedding worker) and listening on port 0.
 * The AI service is not started: the gateway answers its routes 503, which these tests do not call.
 */
import type { AddressInfo } from 'node:net';
import type { ServiceApp } from '@mna/shared/kit';
import { inject } from 'vitest';
import { startHarness as startBilling } from '../../../apps/billing-service/test/harness.js';
import type { Upstreams } from '../../../apps/gateway/test/harness.js';
import { sessionToken, startGateway } from '../../../apps/gateway/test/harness.js';
import { createHarness as startSearch } from '../../../apps/search-service/test/harness.js';

async function listen(app: Pick<ServiceApp, 'listen' | 'server'>): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function startPlatform(
  options: { gatewayEnv?: Record<string, string>; billingEnv?: Record<string, string> } = {},
) {
  const search = await startSearch({ template: inject('templateDatabase') });
  search.startWorker();
  const billing = await startBilling({
    stripe: false,
    // Entitlements without Stripe: every tenant on Enterprise (3000 requests a minute).
    env: {
      STRIPE_SECRET_KEY: undefined,
      STRIPE_WEBHOOK_SECRET: undefined,
      BILLING_DEV_PLAN: 'enterprise',
      ...options.billingEnv,
    },
    // Partner hostnames resolve to a public address; no delivery worker runs, so nothing is sent.
    deps: { resolveHost: async () => [{ address: '93.184.216.34', family: 4 }] },
  });
  const upstreams = {
    search: { url: await listen(search.app) },
    billing: { url: await listen(billing.app) },
    // Nothing listens here: a refused connection, never another engineer's service.
    ai: { url: 'http://127.0.0.1:9' },
  } as unknown as Upstreams;
  const gateway = await startGateway(upstreams, { env: options.gatewayEnv ?? {} });
  const gatewayUrl = await listen(gateway.app);
  return {
    gatewayUrl,
    search,
    billing,
    /** A session token of an org admin (the tenant is the org). */
    token: (org: string, role = 'admin') => sessionToken(gateway.keys, org, role),
    async close() {
      await gateway.close();
      await billing.close();
      await search.close();
    },
  };
}

export type Platform = Awaited<ReturnType<typeof startPlatform>>;
