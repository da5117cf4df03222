import { jobPayload, NotFoundError, QUEUES, type WebhookRecoverySchema } from '@mna/shared';
import pLimit from 'p-limit';
import type { z } from 'zod';
import type { MaintenanceQueue } from './delivery.queue.js';
import type { DeliveryService } from './delivery.service.js';
import type { RecoverRepo } from './recover.repo.js';
import type { Clock } from './schedule.js';

const BATCH = 100;

/**
 * Recovery re-sends every failed, never-delivered message of a period, each as one manual attempt,
 * in a background job whose progress (`sent` of `total`) is readable while it runs. Running it again
 * sends nothing for messages the first run delivered (they are no longer failed); asking again while
 * one runs for the endpoint answers the running one. The HTTP app starts and reads recoveries...
 */
export function createRecoverService(deps: { repo: RecoverRepo; queue: MaintenanceQueue; clock: Clock }) {
  return {
    async start(tenantId: string, endpointId: string, body: { since: string; until?: string | undefined }) {
      const period = {
        since: new Date(body.since),
        until: body.until ? new Date(body.until) : deps.clock.now(),
      };
      const recovery = await deps.repo.start(tenantId, endpointId, period);
      if (recovery.created) {
        await deps.queue.add(
          'recover',
          jobPayload(QUEUES.webhookMaintenance, { kind: 'recover', recoveryId: recovery.id }),
          {
            jobId: `recover.${recovery.id}`,
            attempts: 3,
            backoff: { type: 'exponential', delay: 2_000 },
            removeOnComplete: true,
            removeOnFail: { age: 7 * 86_400 },
          },
        );
      }
      return { recoveryId: recovery.id };
    },

    async get(
      tenantId: string,
      endpointId: string,
      recoveryId: string,
    ): Promise<z.output<typeof WebhookRecoverySchema>> {
      const row = await deps.repo.get(tenantId, endpointId, recoveryId);
      if (!row) throw new NotFoundError('No such recovery.');
      return {
        id: row.id,
        endpointId: row.endpoint_id,
        since: row.since.toISOString(),
        until: row.until.toISOString(),
        status: row.status,
        total: row.total,
        sent: row.sent,
        createdAt: row.created_at.toISOString(),
        finishedAt: row.finished_at?.toISOString() ?? null,
      };
    },
  };
}

export type RecoverService = ReturnType<typeof createRecoverService>;

/** ...and the worker runs them. */
export function createRecoveryRunner(deps: {
  repo: RecoverRepo;
  delivery: Pick<DeliveryService, 'attempt'>;
  clock: Clock;
  /** Re-sends in flight at once within one recovery. */
  concurrency: number;
}) {
  return {
    /** The job: re-sends batch by batch (a retried job resumes with what is still failed). */
    async run(recoveryId: string, options: { lastTry: boolean }) {
      const recovery = await deps.repo.running(recoveryId);
      if (!recovery) return { sent: 0 };
      const period = { since: recovery.since, until: recovery.until };
      const limit = pLimit(deps.concurrency);
      let after: { t: string; id: string } | null = null;
      let sent = 0;
      try {
        for (;;) {
          const batch = await deps.repo.nextFailed(recovery.endpoint_id, period, after, BATCH);
          if (batch.length === 0) break;
          await Promise.all(
            batch.map((m) =>
              limit(() => deps.delivery.attempt({ messageId: m.id, trigger: 'manual', step: 1 })),
            ),
          );
          await deps.repo.addSent(recoveryId, batch.length);
          sent += batch.length;
          after = batch.at(-1)!;
        }
      } catch (error) {
        if (options.lastTry) await deps.repo.finish(recoveryId, 'failed', deps.clock.now());
        throw error;
      }
      await deps.repo.finish(recoveryId, 'completed', deps.clock.now());
      return { sent };
    },
  };
}

export type RecoveryRunner = ReturnType<typeof createRecoveryRunner>;
