import { AppError, billingRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WebhooksService } from './webhooks.service.js';

const WEBHOOK_BODY_LIMIT = 512 * 1024;

/** Deliveries by outcome; a rise of `rejected` means a wrong or rotated STRIPE_WEBHOOK_SECRET. */
function deliveriesCounter(registry: Registry) {
  return new Counter({
    name: 'billing_stripe_webhook_deliveries_total',
    help: 'Stripe webhook deliveries: accepted (new event), duplicate, rejected (signature) or unavailable',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
}

/**
 * The event store seen from ops, read at scrape time: events stored and not yet processed (an event
 * whose enqueue failed is here and not in any BullMQ gauge), the age of the oldest, and dead letters.
 * One query serves both gauges of a scrape; a failed read leaves the series out of that scrape
 * instead of failing /metrics.
 */
function registerEventStoreMetrics(registry: Registry, webhooks: WebhooksService, logger: Logger) {
  let reading: Promise<Awaited<ReturnType<WebhooksService['backlog']>> | null> | null = null;
  const read = () => {
    reading ??= webhooks
      .backlog()
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'stripe event store metrics: reading failed');
        return null;
      })
      .finally(() => {
        reading = null;
      });
    return reading;
  };
  new Gauge({
    name: 'billing_stripe_events',
    help: 'Stripe events in the store by status: received (awaiting processing) or dead (dead-lettered)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = await read();
      if (!backlog) return;
      this.set({ status: 'received' }, backlog.received);
      this.set({ status: 'dead' }, backlog.dead);
    },
  });
  new Gauge({
    name: 'billing_stripe_events_oldest_received_age_seconds',
    help: 'Age of the oldest stored Stripe event not yet processed (0 when none)',
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = await read();
      if (backlog) this.set(backlog.oldestReceivedAgeSeconds);
    },
  });
}

const outcomeOf = (error: unknown) =>
  error instanceof AppError && error.status < 500 ? 'rejected' : 'unavailable';

/**
 * POST /webhooks/stripe, in its own encapsulated context: the content-type parser that keeps the raw
 * bytes (the signature covers them exactly) applies to this route only. Deliveries are logged at
 * `warn` and above only (errors still are); at thousands a second the per-request lines cost more
 * than the intake, and the outcome counter says what they would.
 */
export function registerWebhookRoutes(
  app: ServiceApp,
  deps: { webhooks: WebhooksService; registry: Registry },
) {
  const deliveries = deliveriesCounter(deps.registry);
  registerEventStoreMetrics(deps.registry, deps.webhooks, app.log as Logger);
  app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        '*',
        { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
        (_req, body, done) => done(null, body),
      );
      mountRoute(scope as unknown as ServiceApp, billingRoutes.stripeWebhook, async ({ request }) => {
        const signature = request.headers['stripe-signature'];
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        try {
          const ack = await deps.webhooks.receive(raw, typeof signature === 'string' ? signature : undefined);
          deliveries.inc({ outcome: ack.duplicate ? 'duplicate' : 'accepted' });
          return ack;
        } catch (error) {
          deliveries.inc({ outcome: outcomeOf(error) });
          throw error;
        }
      });
    },
    { logLevel: 'warn' },
  );
}
