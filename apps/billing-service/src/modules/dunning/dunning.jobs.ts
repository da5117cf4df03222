import { createWorker, QUEUES } from '@mna/shared';
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { DunningService } from './dunning.service.js';

type Settings = { connection: ConnectionOptions; prefix: string; logger: Logger };

/** Consumers of due reminders (writing the outbox) and of the outbox (sending the emails). */
export function createDunningWorkers(dunning: DunningService, settings: Settings) {
  return [
    createWorker(QUEUES.billingDunning, (data) => dunning.remind(data), { ...settings, concurrency: 4 }),
    createWorker(QUEUES.billingNotifications, (data) => dunning.send(data.notificationId), {
      ...settings,
      concurrency: 4,
    }),
  ];
}
