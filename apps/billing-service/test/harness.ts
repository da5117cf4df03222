import { createLogger, createMetrics, createQueue, type PrincipalInput, QUEUES } from '@mna/shared';
import { createDb, createRedis } from '@mna/shared/kit';
import {
  createTestDatabase,
  deleteKeysWithPrefix,
  internalHeaders,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import { inject } from 'vitest';
import { type BillingDeps, buildApp } from '../src/app.js';
import { devPlanOverride } from '../src/config.js';
import type { BillingDatabase } from '../src/db/schema.js';
import { syncCatalog } from '../src/modules/catalog/catalog.sync.js';
import type { DunningPolicy } from '../src/modules/dunning/dunning.service.js';
import type { Mail, Mailer } from '../src/modules/dunning/mailer.js';
import { createStripeClient } from '../src/stripe/stripe.client.js';
import { createBillingWorkers } from '../src/workers.js';
import { startFakeStripe } from './fake-stripe.js';
import { testConfig } from './helpers.js';

export const ADMIN_USER = 'user_platform_admin';

type HarnessOptions = {
  env?: Record<string, string | undefined>;
  /** Without Stripe: no fake, no key (the embedded default). */
  stripe?: boolean;
  workers?: boolean;
  policy?: DunningPolicy;
  concurrency?: number;
  /** Stand-ins for the app: a host resolver for webhook URLs, a clock. */
  deps?: Pick<BillingDeps, 'resolveHost' | 'clock'>;
};

/** The billing app and (optionally) its workers on real Postgres and Redis, Stripe faked over HTTP. */
export async function startHarness(options: HarnessOptions = {}) {
  const withStripe = options.stripe ?? true;
  const fake = withStripe ? await startFakeStripe() : null;
  const database = await createTestDatabase(inject('templateDatabase'));
  const config = testConfig({
    BILLING_PLATFORM_ADMINS: ADMIN_USER,
    BILLING_WEBHOOK_ATTEMPTS: '3',
    BILLING_WEBHOOK_BACKOFF_MS: '50',
    ...(fake?.env ?? {}),
    ...options.env,
  });
  const logger = createLogger({ service: 'billing-test', level: 'silent' });
  const db = createDb<BillingDatabase>({ connectionString: database.appUrl, max: 10 });
  const owner = createDb<BillingDatabase>({ connectionString: database.ownerUrl, max: 2 });
  const redis = createRedis(TEST_REDIS_URL);
  const workerRedis = createRedis(TEST_REDIS_URL, 'worker');
  const prefix = uniquePrefix('billing');
  const eventsQueue = createQueue(QUEUES.billingStripeEvents, { connection: redis, prefix });
  const stripe = createStripeClient(config);
  const app = await buildApp({
    config,
    logger,
    metrics: createMetrics('billing-test'),
    db,
    redis,
    stripe,
    eventsQueue,
    devPlan: devPlanOverride(config),
    ...options.deps,
  });
  if (stripe) await syncCatalog(stripe);
  const sent: Mail[] = [];
  const mailer: Mailer = { send: async (mail) => void sent.push(mail), close: () => {} };
  const workers =
    options.workers && stripe
      ? createBillingWorkers({
          db,
          stripe,
          connection: workerRedis,
          prefix,
          logger,
          mailer,
          concurrency: options.concurrency ?? 4,
          policy: options.policy ?? { graceMs: 7 * 86_400_000, reminderDelaysMs: [0, 3 * 86_400_000] },
        })
      : null;

  return {
    fake,
    app,
    db,
    /** Superuser connection: reads every row regardless of row level security (assertions only). */
    owner,
    stripe,
    eventsQueue,
    workers,
    sent,
    prefix,
    headers: (principal: Partial<PrincipalInput> = {}) => internalHeaders(principal),
    async deliver(delivery: { payload: string; headers: Record<string, string> }) {
      return app.inject({
        method: 'POST',
        url: '/webhooks/stripe',
        payload: delivery.payload,
        headers: delivery.headers,
      });
    },
    async close() {
      await workers?.close();
      await app.close();
      await eventsQueue.close();
      await deleteKeysWithPrefix(prefix);
      redis.disconnect();
      workerRedis.disconnect();
      await db.destroy();
      await owner.destroy();
      // pg's pool.end() resolves before the sockets close; dropping (with force) at once would
      // terminate a closing connection, which pg reports as an uncaught error.
      await new Promise((r) => setTimeout(r, 250));
      await database.drop();
      await fake?.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
