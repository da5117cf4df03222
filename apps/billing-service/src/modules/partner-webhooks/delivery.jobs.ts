import { createQueue, createWorker, QUEUES } from '@mna/shared';
import type { ConnectionOptions } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { BillingConfig } from '../../config.js';
import type { BillingDatabase } from '../../db/schema.js';
import { createAttemptsRepo } from './attempts.repo.js';
import { createDeliveryService } from './delivery.service.js';
import { createRecoverRepo } from './recover.repo.js';
import { createRecoveryRunner } from './recover.service.js';
import { type Clock, type Random, type RetryPolicy, systemClock } from './schedule.js';
import { createGuardedDispatcher } from './url-guard.js';

export type DeliverySettings = Pick<
  BillingConfig,
  | 'WEBHOOK_DELIVERY_TIMEOUT_MS'
  | 'WEBHOOK_RETRY_SCHEDULE'
  | 'WEBHOOK_RETRY_JITTER'
  | 'WEBHOOK_RETRY_AFTER_MAX_SECONDS'
  | 'WEBHOOK_DISABLE_AFTER_DAYS'
  | 'WEBHOOK_DISABLE_WARNING_HOURS'
  | 'WEBHOOK_DELIVERY_CONCURRENCY'
  | 'WEBHOOK_SWEEP_INTERVAL_SECONDS'
  | 'WEBHOOK_ALLOW_PRIVATE_URLS'
>;

export const retryPolicyOf = (config: DeliverySettings): RetryPolicy => ({
  scheduleMs: config.WEBHOOK_RETRY_SCHEDULE,
  jitter: config.WEBHOOK_RETRY_JITTER,
  retryAfterMaxMs: config.WEBHOOK_RETRY_AFTER_MAX_SECONDS * 1_000,
});

export type DeliveryWorkerDeps = {
  db: Kysely<BillingDatabase>;
  config: DeliverySettings;
  /** A worker-role connection (maxRetriesPerRequest: null). */
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  clock?: Clock;
  random?: Random;
  /** Defaults to the url-guard dispatcher (private addresses refused unless WEBHOOK_ALLOW_PRIVATE_URLS). */
  dispatcher?: Dispatcher;
  /** Tests turn the periodic sweep off and call `delivery.sweep` themselves. */
  sweep?: boolean;
};

/**
 * Consumers of partner webhook deliveries (`webhook-delivery`) and upkeep (`webhook-maintenance`:
 * the periodic sweep and recoveries), with the producers they need; `close` in order.
 */
export async function createDeliveryWorkers(deps: DeliveryWorkerDeps) {
  const { config, logger } = deps;
  const queueSettings = { connection: deps.connection, prefix: deps.prefix };
  const deliveryQueue = createQueue(QUEUES.webhookDelivery, queueSettings);
  const maintenanceQueue = createQueue(QUEUES.webhookMaintenance, queueSettings);
  const clock = deps.clock ?? systemClock;
  const ownDispatcher = deps.dispatcher
    ? null
    : createGuardedDispatcher({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS });
  const delivery = createDeliveryService({
    repo: createAttemptsRepo(deps.db),
    queue: deliveryQueue,
    policy: retryPolicyOf(config),
    failing: {
      disableAfterMs: config.WEBHOOK_DISABLE_AFTER_DAYS * 86_400_000,
      warnBeforeMs: config.WEBHOOK_DISABLE_WARNING_HOURS * 3_600_000,
    },
    timeoutMs: config.WEBHOOK_DELIVERY_TIMEOUT_MS,
    dispatcher: deps.dispatcher ?? ownDispatcher!,
    clock,
    random: deps.random ?? Math.random,
    logger,
  });
  const recover = createRecoveryRunner({
    repo: createRecoverRepo(deps.db),
    delivery,
    clock,
    concurrency: Math.min(8, config.WEBHOOK_DELIVERY_CONCURRENCY),
  });
  const sweepEveryMs = config.WEBHOOK_SWEEP_INTERVAL_SECONDS * 1_000;
  const workers = [
    createWorker(QUEUES.webhookDelivery, (data) => delivery.attempt(data), {
      ...queueSettings,
      logger,
      concurrency: config.WEBHOOK_DELIVERY_CONCURRENCY,
    }),
    createWorker(
      QUEUES.webhookMaintenance,
      (data, job) =>
        data.kind === 'sweep'
          ? delivery.sweep({ overdueGraceMs: sweepEveryMs, limit: 1_000 })
          : recover.run(data.recoveryId, { lastTry: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
      { ...queueSettings, logger, concurrency: 2 },
    ),
  ];
  if (deps.sweep ?? true) {
    await maintenanceQueue.upsertJobScheduler(
      'webhook-sweep',
      { every: sweepEveryMs },
      { name: 'sweep', data: { kind: 'sweep' }, opts: { removeOnComplete: true, removeOnFail: true } },
    );
  }
  return {
    workers,
    delivery,
    recover,
    deliveryQueue,
    maintenanceQueue,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await deliveryQueue.close();
      await maintenanceQueue.close();
      await ownDispatcher?.close();
    },
  };
}

export type DeliveryWorkers = Awaited<ReturnType<typeof createDeliveryWorkers>>;
