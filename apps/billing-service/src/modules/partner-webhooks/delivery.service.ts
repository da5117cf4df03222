import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Trx } from '../../db/scope.js';
import type { AttemptsRepo } from './attempts.repo.js';
import { type DeliveryQueue, enqueueDelivery } from './delivery.queue.js';
import { sendDelivery } from './delivery.sender.js';
import {
  type Clock,
  nextAttemptAt,
  parseRetryAfter,
  type Random,
  RETRY_AFTER_STATUSES,
  type RetryPolicy,
} from './schedule.js';
import { activeSecrets, signDelivery } from './signing.js';

/** How long an endpoint may fail without a single success before it is disabled, and the warning. */
export type FailingPolicy = { disableAfterMs: number; warnBeforeMs: number };

export type DeliveryServiceDeps = {
  repo: AttemptsRepo;
  queue: DeliveryQueue;
  policy: RetryPolicy;
  failing: FailingPolicy;
  timeoutMs: number;
  /** An undici agent with the url-guard lookup (refuses private addresses at connect time). */
  dispatcher: Dispatcher;
  clock: Clock;
  random: Random;
  logger: Logger;
};

export type DeliveryJob = { messageId: string; trigger: 'scheduled' | 'manual'; step: number };
export type AttemptOutcome = 'delivered' | 'retrying' | 'failed' | 'skipped';

/** Added to the timeout for the lease a claimed attempt holds on the message (see the sweeper). */
const LEASE_MARGIN_MS = 60_000;

type FailingEndpoint = {
  id: string;
  tenant_id: string;
  url: string;
  status: 'enabled' | 'disabled';
  first_failure_at: Date | null;
  disable_warned_at: Date | null;
};

const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

/**
 * One attempt of one message: claim, sign with every active secret, POST, log the attempt, settle the
 * message (delivered, next attempt, failed) and the endpoint's failing streak, then enqueue the next
 * scheduled attempt after commit. Scheduled attempts follow the retry policy; manual ones (resend,
 * recover) are single sends that never change a message's status except to `delivered`.
 */
export function createDeliveryService(deps: DeliveryServiceDeps) {
  const { repo, clock, logger } = deps;

  /** Warns 24 h (configurable) before disabling an endpoint that has been failing without a success. */
  async function applyFailingPolicy(trx: Trx, endpoint: FailingEndpoint, at: Date) {
    if (endpoint.status !== 'enabled' || !endpoint.first_failure_at) return;
    const since = endpoint.first_failure_at;
    const failingForMs = at.getTime() - since.getTime();
    const disableAt = new Date(since.getTime() + deps.failing.disableAfterMs);
    const notice = { tenantId: endpoint.tenant_id, endpointId: endpoint.id, at };
    const data = { endpointId: endpoint.id, url: endpoint.url, firstFailureAt: since.toISOString() };
    if (failingForMs >= deps.failing.disableAfterMs) {
      const reason = `failing without a success since ${since.toISOString()}`;
      if (await repo.disableEndpoint(trx, endpoint.id, reason, at)) {
        await repo.recordNotice(trx, { ...notice, type: 'endpoint.disabled', data: { ...data, reason } });
        logger.warn({ endpointId: endpoint.id, tenantId: endpoint.tenant_id }, 'webhook endpoint disabled');
      }
    } else if (
      failingForMs >= deps.failing.disableAfterMs - deps.failing.warnBeforeMs &&
      !endpoint.disable_warned_at &&
      (await repo.markDisableWarned(trx, endpoint.id, at))
    ) {
      await repo.recordNotice(trx, {
        ...notice,
        type: 'endpoint.disabling_soon',
        data: { ...data, disableAt: disableAt.toISOString() },
      });
    }
  }

  async function claim(job: DeliveryJob, now: Date) {
    if (job.trigger === 'manual') return repo.claimManual(job.messageId, now);
    const leaseUntil = new Date(now.getTime() + deps.timeoutMs + LEASE_MARGIN_MS);
    const claimed = await repo.claimScheduled(job.messageId, job.step, now, leaseUntil);
    if (claimed === null) await repo.failIfEndpointDisabled(job.messageId);
    return claimed;
  }

  async function attempt(job: DeliveryJob): Promise<AttemptOutcome> {
    if (job.trigger === 'scheduled' && job.step > deps.policy.scheduleMs.length) {
      // Only a sweeper re-send after a lost last attempt gets here: the schedule is spent.
      await repo.transaction((trx) => repo.markFailed(trx, job.messageId));
      return 'failed';
    }
    const target = await claim(job, clock.now());
    if (!target) return 'skipped';
    const { attemptNumber } = target;

    const body = JSON.stringify(target.envelope);
    const sentAt = clock.now();
    const headers = signDelivery({
      messageId: target.messageId,
      timestamp: sentAt,
      body,
      secrets: activeSecrets(target.secrets, sentAt),
    });
    const result = await sendDelivery({
      url: target.url,
      headers,
      body,
      timeoutMs: deps.timeoutMs,
      dispatcher: deps.dispatcher,
    });
    const at = clock.now();
    const delivered = isSuccess(result.statusCode);
    const gone = result.statusCode === 410;
    const retryAfterMs = RETRY_AFTER_STATUSES.has(result.statusCode ?? 0)
      ? parseRetryAfter(result.retryAfter, at)
      : undefined;
    const next =
      !delivered && !gone && job.trigger === 'scheduled'
        ? nextAttemptAt(deps.policy, job.step, at, deps.random, retryAfterMs)
        : null;

    const outcome = await repo.transaction(async (trx): Promise<AttemptOutcome> => {
      await repo.insertAttempt(trx, {
        messageId: target.messageId,
        endpointId: target.endpointId,
        tenantId: target.tenantId,
        attemptNumber,
        trigger: job.trigger,
        statusCode: result.statusCode,
        responseBody: result.responseBody,
        error: result.error,
        durationMs: result.durationMs,
        nextAttemptAt: next,
        at,
      });
      if (delivered) {
        await repo.markDelivered(trx, target.messageId, at);
        await repo.endpointSucceeded(trx, target.endpointId);
        return 'delivered';
      }
      // The message first: the endpoint row lock (taken by endpointFailed, which serialises failures
      // of one endpoint and its notice sequence) is then held only for the last statements.
      const scheduled = job.trigger === 'scheduled';
      if (scheduled && next) await repo.scheduleNext(trx, target.messageId, next);
      else if (scheduled) await repo.markFailed(trx, target.messageId);
      const endpoint = await repo.endpointFailed(trx, target.endpointId, at);
      if (gone) {
        const reason = 'the endpoint answered 410 Gone';
        if (await repo.disableEndpoint(trx, target.endpointId, reason, at)) {
          await repo.recordNotice(trx, {
            tenantId: target.tenantId,
            endpointId: target.endpointId,
            type: 'endpoint.disabled',
            data: { endpointId: target.endpointId, url: target.url, reason },
            at,
          });
        }
      } else if (endpoint) {
        await applyFailingPolicy(trx, endpoint, at);
      }
      if (!scheduled) return 'failed';
      if (next) return 'retrying';
      if (!gone) {
        await repo.recordNotice(trx, {
          tenantId: target.tenantId,
          endpointId: target.endpointId,
          type: 'endpoint.failing',
          data: {
            endpointId: target.endpointId,
            url: target.url,
            messageId: target.messageId,
            eventId: target.envelope.id,
            eventType: target.envelope.type,
            attempts: job.step,
            lastStatusCode: result.statusCode,
            lastError: result.error,
          },
          at,
        });
      }
      return 'failed';
    });
    if (next) {
      const delayMs = Math.max(0, next.getTime() - clock.now().getTime());
      await enqueueDelivery(deps.queue, { messageId: target.messageId, step: job.step + 1, delayMs });
    }
    return outcome;
  }

  return {
    attempt,

    /**
     * Re-enqueues scheduled attempts whose job was lost (a crash between commit and enqueue, or during
     * a send), and applies the failing policy to endpoints nobody has tried lately.
     */
    async sweep(options: { overdueGraceMs: number; limit: number }) {
      const now = clock.now();
      const overdue = await repo.overdue(now, options.overdueGraceMs, options.limit);
      for (const m of overdue) {
        await enqueueDelivery(deps.queue, { messageId: m.id, step: m.schedule_step + 1 });
      }
      const warnFrom = new Date(now.getTime() - (deps.failing.disableAfterMs - deps.failing.warnBeforeMs));
      for (const { id } of await repo.failingSince(warnFrom)) {
        await repo.transaction(async (trx) => {
          const endpoint = await repo.lockEndpoint(trx, id);
          if (endpoint) await applyFailingPolicy(trx, endpoint, now);
        });
      }
      return { requeued: overdue.length };
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
