import type { Metrics } from '@mna/shared';
import {
  createServiceApp,
  type MetricsQueue,
  pingDb,
  pingRedis,
  type Redis,
  registerDependencyMetrics,
  registerQueueMetrics,
} from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { BillingConfig } from './config.js';
import type { BillingDatabase } from './db/schema.js';
import { registerAdminRoutes } from './modules/analytics/analytics.routes.js';
import { createAnalyticsService } from './modules/analytics/analytics.service.js';
import { registerCatalogRoutes } from './modules/catalog/catalog.routes.js';
import { createCheckoutService } from './modules/checkout/checkout.service.js';
import { registerSubscriptionRoutes } from './modules/subscriptions/subscriptions.routes.js';
import { createSubscriptionsService } from './modules/subscriptions/subscriptions.service.js';
import { createSubscriptionSync, syncCustomerWith } from './modules/subscriptions/subscriptions.sync.js';
import { createWebhooksRepo } from './modules/webhooks/webhooks.repo.js';
import { registerWebhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { createWebhooksService, type EventsQueue } from './modules/webhooks/webhooks.service.js';

export type BillingDeps = {
  config: Pick<
    BillingConfig,
    | 'INTERNAL_TOKEN_SECRET'
    | 'STRIPE_WEBHOOK_SECRET'
    | 'STRIPE_WEBHOOK_TOLERANCE_SECONDS'
    | 'BILLING_PLATFORM_ADMINS'
    | 'BILLING_WEBHOOK_ATTEMPTS'
    | 'BILLING_WEBHOOK_BACKOFF_MS'
  >;
  logger: Logger;
  metrics: Metrics;
  db: Kysely<BillingDatabase>;
  redis: Redis;
  /** The real SDK, or null without STRIPE_SECRET_KEY (Stripe-backed routes then answer 503). */
  stripe: Stripe | null;
  eventsQueue: EventsQueue;
  /** Further queues this service owns, exported as bullmq_queue_* gauges (dunning, notifications). */
  observedQueues?: MetricsQueue[];
  /** Development-only plan for tenants without a subscription (config BILLING_DEV_PLAN). */
  devPlan?: import('@mna/shared').PlanId | undefined;
};

/** The billing-service's HTTP app; never listens, never reads the environment. */
export async function buildApp(deps: BillingDeps) {
  const readiness = { postgres: () => pingDb(deps.db), redis: () => pingRedis(deps.redis) };
  const app = await createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    internalTokenSecret: deps.config.INTERNAL_TOKEN_SECRET,
    readiness,
  });
  registerDependencyMetrics(deps.metrics.registry, readiness);
  registerQueueMetrics(deps.metrics.registry, [deps.eventsQueue, ...(deps.observedQueues ?? [])]);
  const { db } = deps;
  const sync = deps.stripe ? syncCustomerWith(createSubscriptionSync({ db, stripe: deps.stripe })) : null;
  const subscriptions = createSubscriptionsService({ db, devPlan: deps.devPlan });
  const checkout = createCheckoutService({ stripe: deps.stripe, db, sync });
  const webhooks = createWebhooksService({
    repo: createWebhooksRepo(deps.db),
    queue: deps.eventsQueue,
    webhookSecret: deps.config.STRIPE_WEBHOOK_SECRET,
    toleranceSeconds: deps.config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    retry: {
      attempts: deps.config.BILLING_WEBHOOK_ATTEMPTS,
      backoffMs: deps.config.BILLING_WEBHOOK_BACKOFF_MS,
    },
  });
  registerCatalogRoutes(app);
  registerSubscriptionRoutes(app, { subscriptions, checkout, db });
  registerAdminRoutes(app, {
    analytics: createAnalyticsService({ db: deps.db }),
    webhooks,
    admins: deps.config.BILLING_PLATFORM_ADMINS,
  });
  registerWebhookRoutes(app, { webhooks });
  return app;
}
