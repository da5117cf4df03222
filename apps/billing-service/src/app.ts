import { createQueue, type Metrics, QUEUES } from '@mna/shared';
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
import type { DeliveryQueue, MaintenanceQueue } from './modules/partner-webhooks/delivery.queue.js';
import { createDeliveryRepo } from './modules/partner-webhooks/delivery.repo.js';
import { registerDeliveryRoutes } from './modules/partner-webhooks/delivery.routes.js';
import { createEndpointsRepo } from './modules/partner-webhooks/endpoints.repo.js';
import { registerEndpointRoutes } from './modules/partner-webhooks/endpoints.routes.js';
import { createEndpointsService } from './modules/partner-webhooks/endpoints.service.js';
import { endpointHealthReader, registerWebhookHealthMetrics } from './modules/partner-webhooks/health.js';
import { createRecoverRepo } from './modules/partner-webhooks/recover.repo.js';
import { createRecoverService } from './modules/partner-webhooks/recover.service.js';
import { type Clock, systemClock } from './modules/partner-webhooks/schedule.js';
import { createUrlGuard, type ResolveHost } from './modules/partner-webhooks/url-guard.js';
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
    | 'BILLING_TRIAL_DAYS'
    | 'BILLING_WEBHOOK_ATTEMPTS'
    | 'BILLING_WEBHOOK_BACKOFF_MS'
    | 'BILLING_INTAKE_BATCH_MAX'
    | 'BILLING_INTAKE_BATCH_WAIT_MS'
    | 'BILLING_INTAKE_CONCURRENCY'
    | 'NODE_ENV'
    | 'WEBHOOK_ALLOW_PRIVATE_URLS'
    | 'WEBHOOK_SECRET_GRACE_HOURS'
    | 'WEBHOOK_METRICS_MAX_ENDPOINTS'
    | 'REDIS_PREFIX'
  >;
  logger: Logger;
  metrics: Metrics;
  db: Kysely<BillingDatabase>;
  redis: Redis;
  /** The real SDK, or null without STRIPE_SECRET_KEY (Stripe-backed routes then answer 501). */
  stripe: Stripe | null;
  eventsQueue: EventsQueue;
  /** Further queues this service owns, exported as bullmq_queue_* gauges (dunning, notifications). */
  observedQueues?: MetricsQueue[];
  /** Development-only plan for tenants without a subscription (config BILLING_DEV_PLAN). */
  devPlan?: import('@mna/shared').PlanId | undefined;
  /** Host resolution of partner webhook URLs (tests stand in a resolver); the system's by default. */
  resolveHost?: ResolveHost;
  clock?: Clock;
  /**
   * Producers of partner webhook deliveries (resend, test send) and upkeep (recoveries); by default the
   * app opens them on `redis` under REDIS_PREFIX and closes them with itself.
   */
  webhookQueues?: { delivery: DeliveryQueue; maintenance: MaintenanceQueue };
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
  const ownQueueSettings = { connection: deps.redis, prefix: deps.config.REDIS_PREFIX };
  const webhookQueues = deps.webhookQueues ?? {
    delivery: createQueue(QUEUES.webhookDelivery, ownQueueSettings),
    maintenance: createQueue(QUEUES.webhookMaintenance, ownQueueSettings),
  };
  if (!deps.webhookQueues) {
    app.addHook('onClose', async () => {
      await webhookQueues.delivery.close();
      await webhookQueues.maintenance.close();
    });
  }
  registerQueueMetrics(deps.metrics.registry, [
    deps.eventsQueue,
    webhookQueues.delivery,
    webhookQueues.maintenance,
    ...(deps.observedQueues ?? []),
  ]);
  const { db } = deps;
  const clock = deps.clock ?? systemClock;
  registerWebhookHealthMetrics(deps.metrics.registry, {
    db,
    clock,
    maxEndpoints: deps.config.WEBHOOK_METRICS_MAX_ENDPOINTS,
    logger: deps.logger,
  });
  const sync = deps.stripe ? syncCustomerWith(createSubscriptionSync({ db, stripe: deps.stripe })) : null;
  const subscriptions = createSubscriptionsService({ db, devPlan: deps.devPlan });
  const checkout = createCheckoutService({
    stripe: deps.stripe,
    db,
    sync,
    trialDays: deps.config.BILLING_TRIAL_DAYS,
  });
  const webhooks = createWebhooksService({
    repo: createWebhooksRepo(deps.db),
    queue: deps.eventsQueue,
    webhookSecret: deps.config.STRIPE_WEBHOOK_SECRET,
    toleranceSeconds: deps.config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    retry: {
      attempts: deps.config.BILLING_WEBHOOK_ATTEMPTS,
      backoffMs: deps.config.BILLING_WEBHOOK_BACKOFF_MS,
    },
    batching: {
      maxBatch: deps.config.BILLING_INTAKE_BATCH_MAX,
      maxWaitMs: deps.config.BILLING_INTAKE_BATCH_WAIT_MS,
      concurrency: deps.config.BILLING_INTAKE_CONCURRENCY,
    },
  });
  registerCatalogRoutes(app);
  registerSubscriptionRoutes(app, { subscriptions, checkout, db });
  registerAdminRoutes(app, {
    analytics: createAnalyticsService({ db: deps.db }),
    webhooks,
    admins: deps.config.BILLING_PLATFORM_ADMINS,
  });
  registerWebhookRoutes(app, { webhooks, registry: deps.metrics.registry });
  const urlGuard = createUrlGuard({
    allowPrivate: deps.config.WEBHOOK_ALLOW_PRIVATE_URLS,
    requireHttps: deps.config.NODE_ENV === 'production',
    ...(deps.resolveHost ? { resolve: deps.resolveHost } : {}),
  });
  const endpoints = createEndpointsService({
    repo: createEndpointsRepo(db),
    urlGuard,
    clock,
    secretGraceMs: deps.config.WEBHOOK_SECRET_GRACE_HOURS * 3_600_000,
    health: endpointHealthReader(db, clock),
  });
  registerEndpointRoutes(app, { endpoints });
  registerDeliveryRoutes(app, {
    db,
    repo: createDeliveryRepo(db),
    queue: webhookQueues.delivery,
    recover: createRecoverService({
      repo: createRecoverRepo(db),
      queue: webhookQueues.maintenance,
      clock,
    }),
  });
  return app;
}
