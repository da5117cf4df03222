import { createWorker, QUEUES } from '@mna/shared';
import type { ConnectionOptions } from 'bullmq';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { BillingDatabase } from '../../db/schema.js';
import type { DunningService } from '../dunning/dunning.service.js';
import { recordInvoiceEvent } from '../partner-webhooks/events.js';
import type { SubscriptionSync } from '../subscriptions/subscriptions.sync.js';
import type { WebhooksRepo } from './webhooks.repo.js';

/** Event types that trigger a re-read of the customer from Stripe; others are stored and acknowledged. */
export const HANDLED_EVENTS = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.upcoming',
  'invoice.marked_uncollectible',
  'charge.refunded',
  'charge.dispute.created',
]);

/** Types whose whole effect is the re-read of the customer's subscription. */
const SYNC_ONLY = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'invoice.marked_uncollectible',
]);

const NOTICES: Record<string, { kind: string; subject: string; body: string }> = {
  'customer.subscription.trial_will_end': {
    kind: 'trial_will_end',
    subject: 'Your trial ends soon',
    body: 'Your trial ends in a few days; add a payment method to keep your plan.',
  },
  'invoice.payment_action_required': {
    kind: 'payment_action_required',
    subject: 'Your payment needs confirmation',
    body: 'Your bank asks you to confirm the payment of your latest invoice.',
  },
  'invoice.upcoming': {
    kind: 'invoice_upcoming',
    subject: 'Your next invoice',
    body: 'Your subscription renews soon; the invoice will be charged to your payment method on file.',
  },
};

export type EventProcessorDeps = {
  repo: WebhooksRepo;
  sync: SubscriptionSync;
  stripe: Stripe;
  dunning: DunningService;
  logger: Logger;
};

/**
 * Applies one stored event. Under the customer's lock it re-reads the subscription and latest invoice
 * from Stripe and stores that state (so arrival order does not matter), then does the event's own
 * work; jobs it implies are enqueued only after the transaction commits.
 */
export function createEventProcessor(deps: EventProcessorDeps) {
  const { repo, sync, stripe, dunning } = deps;

  async function emailOf(customerId: string): Promise<string | null> {
    const customer = await stripe.customers.retrieve(customerId);
    return ('email' in customer && customer.email) || null;
  }

  async function apply(trx: Transaction<BillingDatabase>, event: Stripe.Event, customerId: string) {
    const after: Array<() => Promise<unknown>> = [];
    const result = await sync.syncIn(trx, customerId, event.id);
    if (!result) {
      // No subscription in Stripe, or a customer without a tenant_id: nothing to store for a tenant.
      deps.logger.warn(
        { eventId: event.id, type: event.type, customerId },
        'stripe event for no known tenant',
      );
      return after;
    }
    const { tenantId } = result;
    const object = event.data.object as { id?: string; object?: string; customer_email?: string | null };
    if (event.type === 'invoice.payment_failed' && object.id) {
      const invoice = await stripe.invoices.retrieve(object.id);
      // Re-read: a failure that arrives after the invoice was paid starts nothing.
      if (invoice.status === 'open') {
        await recordInvoiceEvent(trx, tenantId, 'invoice.payment_failed', invoice);
        if (await dunning.start(trx, tenantId, invoice)) {
          after.push(() => dunning.scheduleReminders(tenantId, invoice.id!));
        }
      }
    } else if (event.type === 'invoice.paid' && object.id) {
      const invoice = await stripe.invoices.retrieve(object.id);
      if (invoice.status === 'paid') {
        await recordInvoiceEvent(trx, tenantId, 'invoice.paid', invoice);
        const closed = await dunning.recover(trx, tenantId, invoice);
        after.push(() => dunning.cancelReminders(closed));
      }
    } else if (event.type === 'charge.refunded' || event.type === 'charge.dispute.created') {
      await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(trx);
      await trx
        .insertInto('billing.audit_log')
        .values({
          tenant_id: tenantId,
          actor: 'stripe',
          action: event.type,
          target: object.id ?? null,
          request_id: event.id,
          details: {},
        })
        .execute();
    }
    const notice = NOTICES[event.type];
    if (notice) {
      after.push(async () => {
        // Subscriptions carry no address; the customer's is read from Stripe.
        const recipient = object.customer_email ?? (await emailOf(customerId));
        return dunning.notify({ tenantId, eventId: event.id, recipient, ...notice });
      });
    }
    return after;
  }

  return async function processEvent(eventId: string): Promise<'processed' | 'skipped' | 'missing'> {
    const row = await repo.get(eventId);
    if (!row) return 'missing';
    if (row.status === 'processed') return 'skipped';
    const event = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Stripe.Event;
    if (!row.customer_id || !HANDLED_EVENTS.has(event.type)) return 'processed';
    const customerId = row.customer_id;
    const after = await sync.withCustomerLock(customerId, async (trx) => {
      // An event that only asks for a re-read is covered by any read made after it arrived.
      if (SYNC_ONLY.has(event.type) && (await sync.readSince(trx, customerId, row.received_at))) return [];
      return apply(trx, event, customerId);
    });
    for (const step of after) await step();
    return 'processed';
  };
}

export type EventProcessor = ReturnType<typeof createEventProcessor>;

/**
 * The BullMQ consumer of Stripe events. A failed attempt is recorded on the event; after the last
 * attempt the event is dead-lettered (status `dead`), listed by the admin endpoint and replayable.
 */
export function createStripeEventsWorker(
  deps: { process: EventProcessor; repo: WebhooksRepo; logger: Logger },
  settings: { connection: ConnectionOptions; prefix: string; concurrency: number },
) {
  const worker = createWorker(
    QUEUES.billingStripeEvents,
    async (data, job) => {
      const attempt = job.attemptsMade + 1;
      try {
        const outcome = await deps.process(data.eventId);
        if (outcome === 'processed') await deps.repo.markProcessed(data.eventId, attempt);
        return outcome;
      } catch (error) {
        const last = attempt >= (job.opts.attempts ?? 1);
        await deps.repo.markFailed(
          data.eventId,
          attempt,
          error instanceof Error ? error.message : String(error),
          last,
        );
        if (last) deps.logger.error({ eventId: data.eventId, err: error }, 'stripe event dead-lettered');
        throw error;
      }
    },
    { ...settings, logger: deps.logger },
  );
  // Failures the handler never saw (a job that stalled too often, an invalid payload) end here too.
  worker.on('failed', (job, error) => {
    const final =
      error.name === 'UnrecoverableError' ||
      /stalled/i.test(error.message) ||
      (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1));
    if (!job || !final) return;
    deps.repo
      .markFailed(job.data.eventId, job.attemptsMade, error.message, true)
      .catch((err: unknown) =>
        deps.logger.error({ err, eventId: job.data.eventId }, 'could not dead-letter'),
      );
  });
  return worker;
}
