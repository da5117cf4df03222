import { jobPayload, QUEUES, type TypedQueue } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { BillingDatabase } from '../../db/schema.js';
import { asSystem, type Trx } from '../../db/scope.js';
import { subscriptionsRepo } from '../subscriptions/subscriptions.repo.js';
import { dunningRepo as repo } from './dunning.repo.js';
import type { Mailer } from './mailer.js';

export type DunningQueue = TypedQueue<typeof QUEUES.billingDunning>;
export type NotificationsQueue = TypedQueue<typeof QUEUES.billingNotifications>;
export type DunningPolicy = { graceMs: number; reminderDelaysMs: number[] };

const reminderJobId = (invoiceId: string, step: number) => `dunning.${invoiceId}.${step}`;
const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

export type DunningServiceDeps = {
  db: Kysely<BillingDatabase>;
  dunningQueue: DunningQueue;
  notificationsQueue: NotificationsQueue;
  mailer: Mailer;
  policy: DunningPolicy;
  logger: Logger;
  now?: () => Date;
};

/**
 * Dunning: Stripe's Smart Retries retry the card; we start a grace period, remind the customer on a
 * schedule (delayed BullMQ jobs writing to an outbox) and record the recovery when the invoice is paid.
 */
export function createDunningService(deps: DunningServiceDeps) {
  const { policy } = deps;
  const now = deps.now ?? (() => new Date());
  const addNotification = (n: Parameters<typeof repo.addNotification>[1]) =>
    asSystem(deps.db, (trx) => repo.addNotification(trx, n));
  const enqueueSend = (id: string) =>
    deps.notificationsQueue.add('send', jobPayload(QUEUES.billingNotifications, { notificationId: id }), {
      jobId: `notification.${id}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
      removeOnComplete: true,
    });

  return {
    /** In the event's transaction: opens the case and the grace period. Returns whether it is new. */
    async start(trx: Trx, tenantId: string, invoice: Stripe.Invoice): Promise<boolean> {
      const graceUntil = new Date(now().getTime() + policy.graceMs);
      const opened = await repo.open(trx, {
        invoiceId: invoice.id!,
        tenantId,
        currency: invoice.currency,
        amountDue: invoice.amount_due,
        recipient: invoice.customer_email ?? null,
        graceUntil,
      });
      const current = opened ? graceUntil : (await repo.getCase(trx, invoice.id!))!.grace_until;
      await subscriptionsRepo.setGrace(trx, tenantId, current);
      return opened;
    },

    /** After commit: one delayed job per reminder, keyed so a repeated failure schedules nothing new. */
    async scheduleReminders(tenantId: string, invoiceId: string): Promise<void> {
      await Promise.all(
        policy.reminderDelaysMs.map((delay, step) =>
          deps.dunningQueue.add(
            'reminder',
            jobPayload(QUEUES.billingDunning, { tenantId, invoiceId, step }),
            {
              jobId: reminderJobId(invoiceId, step),
              delay,
              attempts: 5,
              backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
              removeOnComplete: { age: 30 * 86_400 }, // its id then also stops a repeated failure re-scheduling it
            },
          ),
        ),
      );
    },

    /** In the event's transaction: closes open cases and records the recovered amount. */
    async recover(trx: Trx, tenantId: string, invoice: Stripe.Invoice) {
      const closed = await repo.recover(trx, tenantId, invoice.id!, invoice.amount_paid);
      await repo.cancelPending(trx, closed);
      await subscriptionsRepo.setGrace(trx, tenantId, null);
      return closed;
    },

    /** After commit: removes reminders still waiting for the recovered invoices. */
    async cancelReminders(invoiceIds: string[]): Promise<void> {
      for (const invoiceId of invoiceIds) {
        for (let step = 0; step < policy.reminderDelaysMs.length; step++) {
          await deps.dunningQueue.remove(reminderJobId(invoiceId, step));
        }
      }
    },

    /** A due reminder: writes the outbox row (once) unless the case was recovered meanwhile. */
    async remind(job: { tenantId: string; invoiceId: string; step: number }): Promise<string | null> {
      const open = await asSystem(deps.db, (trx) => repo.getCase(trx, job.invoiceId));
      if (!open || open.recovered_at) return null;
      const last = job.step === policy.reminderDelaysMs.length - 1;
      const id = await addNotification({
        tenantId: job.tenantId,
        kind: 'dunning_reminder',
        invoiceId: job.invoiceId,
        step: job.step,
        recipient: open.recipient,
        subject: last ? 'Final notice: your payment failed' : 'Your payment failed',
        body: `We could not collect ${money(open.amount_due, open.currency)} for invoice ${job.invoiceId}. Please update your payment method; access is kept until ${open.grace_until.toISOString()}.`,
      });
      if (id) await enqueueSend(id);
      return id;
    },

    /** An event-driven notice (trial ending, action required...), written once per Stripe event. */
    async notify(n: {
      tenantId: string;
      eventId: string;
      kind: string;
      recipient: string | null;
      subject: string;
      body: string;
    }) {
      const id = await addNotification({
        tenantId: n.tenantId,
        kind: n.kind,
        invoiceId: n.eventId,
        step: -1,
        recipient: n.recipient,
        subject: n.subject,
        body: n.body,
      });
      if (id) await enqueueSend(id);
      return id;
    },

    /** Sends one outbox row through the configured transport; a canceled or sent row is skipped. */
    async send(notificationId: string): Promise<boolean> {
      const n = await asSystem(deps.db, (trx) => repo.pendingNotification(trx, notificationId));
      if (!n) return false;
      if (n.recipient) await deps.mailer.send({ to: n.recipient, subject: n.subject, text: n.body });
      else deps.logger.warn({ notificationId, tenantId: n.tenant_id }, 'notification without a recipient');
      await asSystem(deps.db, (trx) => repo.markSent(trx, notificationId));
      return true;
    },
  };
}

export type DunningService = ReturnType<typeof createDunningService>;
