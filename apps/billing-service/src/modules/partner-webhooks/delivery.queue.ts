import { randomBytes, randomUUID } from 'node:crypto';
import { jobPayload, QUEUES, type TypedQueue } from '@mna/shared';

/** A new message id: `msg_` + 128 random bits (one message per endpoint and event). */
export const newMessageId = () => `msg_${randomBytes(16).toString('base64url')}`;

export type DeliveryQueue = TypedQueue<typeof QUEUES.webhookDelivery>;
export type MaintenanceQueue = TypedQueue<typeof QUEUES.webhookMaintenance>;

export type DeliveryRequest = {
  messageId: string;
  /** Scheduled attempt number (1 = the first send); ignored for manual sends. */
  step?: number;
  trigger?: 'scheduled' | 'manual';
  delayMs?: number;
};

// A scheduled step has one job id, so a sweeper re-enqueue of a job still in Redis is a no-op; finished
// jobs are removed so that id can be used again by a later re-enqueue. Infrastructure errors (database,
// Redis) retry the job; a receiver's failure never throws (it is an attempt, logged and scheduled).
const jobOptions = (request: DeliveryRequest) => ({
  jobId:
    (request.trigger ?? 'scheduled') === 'scheduled'
      ? `${request.messageId}.s${request.step ?? 1}`
      : `${request.messageId}.m${randomUUID()}`,
  delay: request.delayMs ?? 0,
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
});

const toJob = (request: DeliveryRequest) => ({
  name: 'deliver',
  data: jobPayload(QUEUES.webhookDelivery, {
    messageId: request.messageId,
    trigger: request.trigger ?? 'scheduled',
    step: request.step ?? 1,
  }),
  opts: jobOptions(request),
});

/**
 * Enqueues deliveries of partner webhook messages (the fan-out calls it after its transaction commits,
 * with one request per new message; resend calls it with `trigger: 'manual'`).
 */
export async function enqueueDelivery(
  queue: DeliveryQueue,
  requests: DeliveryRequest | readonly DeliveryRequest[],
): Promise<void> {
  const list = Array.isArray(requests) ? requests : [requests as DeliveryRequest];
  if (list.length === 1) {
    const job = toJob(list[0]!);
    await queue.add(job.name, job.data, job.opts);
  } else if (list.length > 1) {
    await queue.addBulk(list.map(toJob));
  }
}
