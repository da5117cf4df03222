import {
  type ConnectionOptions,
  type Job,
  Queue,
  type QueueOptions,
  UnrecoverableError,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { WebhookEnvelopeSchema, WebhookMessageIdSchema } from './contracts/webhooks.js';
import { ValidationError } from './errors.js';
import { PlanIdSchema } from './plans.js';
import { invalidTextFields } from './text.js';

/** A BullMQ queue: its name and the schema of its job payload, parsed on enqueue and on consume. */
export type QueueDef<S extends z.ZodType = z.ZodType> = { name: string; schema: S };
const defineQueue = <S extends z.ZodType>(name: string, schema: S): QueueDef<S> => ({ name, schema });

export const EmbedJobSchema = z.object({
  tenantId: z.string().min(1),
  target: z.enum(['document', 'company']),
  id: z.uuid(),
  requestId: z.string().optional(),
});
export const StripeEventJobSchema = z.object({
  eventId: z.string().min(1),
  customerId: z.string().nullable(),
});
export const DunningReminderJobSchema = z.object({
  tenantId: z.string().min(1),
  invoiceId: z.string().min(1),
  step: z.number().int().nonnegative(),
});
export const NotificationJobSchema = z.object({ notificationId: z.uuid() });
export const DealAnalysisJobSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  requestId: z.string(),
  /** The caller's plan and role, so the worker reads search-service as the caller did. */
  plan: PlanIdSchema.default('solo'),
  orgRole: z.string().nullable().default(null),
  input: z.unknown(),
});
export const GraphMetricsJobSchema = z.object({
  tenantId: z.string().min(1),
  graphVersion: z.string(),
  plan: PlanIdSchema.default('solo'),
});
/** A platform event relayed from a service's outbox (the envelope partners receive); jobId = event id. */
export const PlatformEventJobSchema = WebhookEnvelopeSchema;
/** One delivery of a partner webhook message; jobId derives from the message id. */
export const WebhookDeliveryJobSchema = z.object({
  messageId: WebhookMessageIdSchema,
  trigger: z.enum(['scheduled', 'manual']).default('scheduled'),
  /** Which scheduled attempt this is (1 = the first send); a stale or duplicate step is skipped. */
  step: z.number().int().positive().default(1),
});
/** Partner webhook upkeep: re-enqueue lost attempts and apply the failing policy, or run a recovery. */
export const WebhookMaintenanceJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sweep') }),
  z.object({ kind: z.literal('recover'), recoveryId: z.uuid() }),
]);

/** Every queue of the platform, by owner. Names are stable: they are Redis keys. */
export const QUEUES = {
  searchEmbed: defineQueue('search-embed', EmbedJobSchema),
  billingStripeEvents: defineQueue('billing-stripe-events', StripeEventJobSchema),
  billingDunning: defineQueue('billing-dunning', DunningReminderJobSchema),
  billingNotifications: defineQueue('billing-notifications', NotificationJobSchema),
  aiDealAnalysis: defineQueue('ai-deal-analysis', DealAnalysisJobSchema),
  aiGraphMetrics: defineQueue('ai-graph-metrics', GraphMetricsJobSchema),
  platformEvents: defineQueue('platform-events', PlatformEventJobSchema),
  webhookDelivery: defineQueue('webhook-delivery', WebhookDeliveryJobSchema),
  webhookMaintenance: defineQueue('webhook-maintenance', WebhookMaintenanceJobSchema),
} as const;

export type QueueData<D extends QueueDef> = z.output<D['schema']>;
export type TypedQueue<D extends QueueDef> = Queue<QueueData<D>, unknown, string>;

type QueueSettings = {
  connection: ConnectionOptions;
  prefix: string;
  defaultJobOptions?: QueueOptions['defaultJobOptions'];
};

/** A producer for a registered queue. */
export function createQueue<D extends QueueDef>(def: D, settings: QueueSettings): TypedQueue<D> {
  return new Queue<QueueData<D>, unknown, string>(def.name, {
    connection: settings.connection,
    prefix: settings.prefix,
    ...(settings.defaultJobOptions ? { defaultJobOptions: settings.defaultJobOptions } : {}),
  });
}

/** Text a job's handler would write to SQL: the same check as every route's (NUL, lone surrogates). */
function assertStorableText(def: QueueDef, data: unknown): void {
  const errors = invalidTextFields(data, 'data');
  if (errors.length > 0) {
    throw new ValidationError(`The ${def.name} payload contains text that cannot be stored.`, errors);
  }
}

/** Validates a payload against its queue's schema (and its text) before it is enqueued. */
export const jobPayload = <D extends QueueDef>(def: D, data: z.input<D['schema']>): QueueData<D> => {
  assertStorableText(def, data);
  return def.schema.parse(data) as QueueData<D>;
};

type WorkerSettings = QueueSettings & {
  logger: Logger;
  concurrency?: number;
  options?: Omit<WorkerOptions, 'connection' | 'prefix' | 'concurrency'>;
};

/**
 * A consumer for a registered queue. The payload is parsed again on consumption: a job that does not
 * match its schema fails without retries. Every worker logs its errors instead of crashing.
 */
export function createWorker<D extends QueueDef, R = unknown>(
  def: D,
  handler: (data: QueueData<D>, job: Job<QueueData<D>, R>) => Promise<R>,
  settings: WorkerSettings,
): Worker<QueueData<D>, R> {
  const worker = new Worker<QueueData<D>, R>(
    def.name,
    async (job) => {
      const parsed = def.schema.safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(`invalid ${def.name} payload: ${parsed.error.message}`);
      }
      const badText = invalidTextFields(job.data, 'data');
      if (badText.length > 0) {
        throw new UnrecoverableError(`invalid ${def.name} payload: ${JSON.stringify(badText)}`);
      }
      return handler(parsed.data as QueueData<D>, job);
    },
    {
      ...settings.options,
      connection: settings.connection,
      prefix: settings.prefix,
      concurrency: settings.concurrency ?? 1,
    },
  );
  worker.on('error', (error) => settings.logger.error({ err: error, queue: def.name }, 'worker error'));
  worker.on('failed', (job, error) =>
    settings.logger.warn(
      { err: error, queue: def.name, jobId: job?.id, attempts: job?.attemptsMade },
      'job failed',
    ),
  );
  return worker;
}
