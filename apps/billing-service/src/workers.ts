import { createQueue, QUEUES } from '@mna/shared';
import type { Redis } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { BillingDatabase } from './db/schema.js';
import { createDunningWorkers } from './modules/dunning/dunning.jobs.js';
import { createDunningService, type DunningPolicy } from './modules/dunning/dunning.service.js';
import type { Mailer } from './modules/dunning/mailer.js';
import { createSubscriptionSync } from './modules/subscriptions/subscriptions.sync.js';
import { type RetryPolicy, startIntakeSweeper } from './modules/webhooks/webhooks.intake.js';
import { createEventProcessor, createStripeEventsWorker } from './modules/webhooks/webhooks.jobs.js';
import { createWebhooksRepo } from './modules/webhooks/webhooks.repo.js';

export type BillingWorkerDeps = {
  db: Kysely<BillingDatabase>;
  stripe: Stripe;
  /** A worker-role connection (maxRetriesPerRequest: null). */
  connection: Redis;
  prefix: string;
  logger: Logger;
  mailer: Mailer;
  policy: DunningPolicy;
  concurrency: number;
  /** Re-enqueues stored events whose enqueue failed (see startIntakeSweeper); off when omitted. */
  intakeSweep?: { everyMs: number; retry: RetryPolicy };
};

/** Every BullMQ consumer of the billing-service, with the producers they need; `close` in order. */
export function createBillingWorkers(deps: BillingWorkerDeps) {
  const queueSettings = { connection: deps.connection, prefix: deps.prefix };
  const dunningQueue = createQueue(QUEUES.billingDunning, queueSettings);
  const notificationsQueue = createQueue(QUEUES.billingNotifications, queueSettings);
  const eventsQueue = createQueue(QUEUES.billingStripeEvents, queueSettings);
  const webhooksRepo = createWebhooksRepo(deps.db);
  const sync = createSubscriptionSync({ db: deps.db, stripe: deps.stripe });
  const dunning = createDunningService({
    db: deps.db,
    dunningQueue,
    notificationsQueue,
    mailer: deps.mailer,
    policy: deps.policy,
    logger: deps.logger,
  });
  const process = createEventProcessor({
    repo: webhooksRepo,
    sync,
    stripe: deps.stripe,
    dunning,
    logger: deps.logger,
  });
  const workers = [
    createStripeEventsWorker(
      { process, repo: webhooksRepo, logger: deps.logger },
      { ...queueSettings, concurrency: deps.concurrency },
    ),
    ...createDunningWorkers(dunning, { ...queueSettings, logger: deps.logger }),
  ];
  const sweeper = deps.intakeSweep
    ? startIntakeSweeper({
        repo: webhooksRepo,
        queue: eventsQueue,
        retry: deps.intakeSweep.retry,
        everyMs: deps.intakeSweep.everyMs,
        logger: deps.logger,
      })
    : null;
  return {
    workers,
    dunning,
    process,
    dunningQueue,
    sweeper,
    async close() {
      await sweeper?.close();
      await Promise.all(workers.map((w) => w.close()));
      await eventsQueue.close();
      await dunningQueue.close();
      await notificationsQueue.close();
    },
  };
}
