import { z } from 'zod';
import { CurrencySchema, IntervalSchema, PlanIdSchema } from '../plans.js';
import { SubscriptionStatusSchema } from './billing.js';
import { IsoDateTimeSchema } from './common.js';
import { defineRoute } from './route.js';

/** Event types a partner endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'document.indexed',
  'document.failed',
  'deal.analyzed',
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'invoice.payment_failed',
  'invoice.paid',
] as const;
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;

/** Notices about an endpoint itself: recorded (and listed), never subscribable. */
export const WEBHOOK_NOTICE_TYPES = [
  'endpoint.failing',
  'endpoint.disabling_soon',
  'endpoint.disabled',
] as const;
export const WebhookNoticeTypeSchema = z.enum(WEBHOOK_NOTICE_TYPES);

/** The `data` of each subscribable event type: tenant-scoped facts about the resource. */
export const DocumentIndexedDataSchema = z.object({
  documentId: z.uuid(),
  externalId: z.string(),
  title: z.string(),
  status: z.literal('indexed'),
  chunkCount: z.number().int().nonnegative(),
});
export const DocumentFailedDataSchema = z.object({
  documentId: z.uuid(),
  externalId: z.string(),
  title: z.string(),
  status: z.literal('failed'),
  error: z.string().nullable(),
});
export const DealAnalyzedDataSchema = z.object({
  analysisId: z.string(),
  target: z.string(),
  recommendation: z.enum(['proceed', 'proceed_with_conditions', 'pass']),
  confidence: z.number().min(0).max(1),
  provider: z.enum(['anthropic', 'local']),
});
export const SubscriptionEventDataSchema = z.object({
  subscriptionId: z.string(),
  plan: PlanIdSchema.nullable(),
  status: SubscriptionStatusSchema,
  interval: IntervalSchema.nullable(),
  currency: CurrencySchema.nullable(),
  currentPeriodEnd: IsoDateTimeSchema.nullable(),
  cancelAtPeriodEnd: z.boolean(),
});
export const InvoiceEventDataSchema = z.object({
  invoiceId: z.string(),
  subscriptionId: z.string().nullable(),
  status: z.string().nullable(),
  currency: z.string(),
  amountDue: z.number().int(),
  amountPaid: z.number().int(),
});

/** Schema of `data` per event type; emitters parse through it, the SDK types on it. */
export const WEBHOOK_EVENT_DATA = {
  'document.indexed': DocumentIndexedDataSchema,
  'document.failed': DocumentFailedDataSchema,
  'deal.analyzed': DealAnalyzedDataSchema,
  'subscription.created': SubscriptionEventDataSchema,
  'subscription.updated': SubscriptionEventDataSchema,
  'subscription.canceled': SubscriptionEventDataSchema,
  'invoice.payment_failed': InvoiceEventDataSchema,
  'invoice.paid': InvoiceEventDataSchema,
} as const satisfies Record<WebhookEventType, z.ZodType>;
export type WebhookEventData<T extends WebhookEventType> = z.output<(typeof WEBHOOK_EVENT_DATA)[T]>;

/** An event id: `evt_` and a random suffix, unique across the platform. */
export const WebhookEventIdSchema = z.string().regex(/^evt_[A-Za-z0-9_-]{8,64}$/);
export const WebhookMessageIdSchema = z.string().regex(/^msg_[A-Za-z0-9_-]{8,64}$/);

/**
 * The JSON body delivered to an endpoint (and the payload of a `platform-events` job). `sequence`
 * grows by one per event of the same resource, so a consumer can drop a stale update.
 */
export const WebhookEnvelopeSchema = z.object({
  id: WebhookEventIdSchema,
  type: z.union([WebhookEventTypeSchema, WebhookNoticeTypeSchema]),
  created: IsoDateTimeSchema,
  tenantId: z.string().min(1),
  sequence: z.number().int().positive(),
  resourceId: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelopeSchema>;

export const WebhookEndpointStatusSchema = z.enum(['enabled', 'disabled']);

const EndpointUrlSchema = z.url({ protocol: /^https?$/ }).max(2048);
const EndpointEventsSchema = z
  .array(WebhookEventTypeSchema)
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, 'event types must not repeat');

export const CreateWebhookEndpointSchema = z.strictObject({
  url: EndpointUrlSchema,
  events: EndpointEventsSchema,
  description: z.string().max(500).default(''),
});
export const UpdateWebhookEndpointSchema = z
  .strictObject({
    url: EndpointUrlSchema.optional(),
    events: EndpointEventsSchema.optional(),
    description: z.string().max(500).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one of url, events, description');

/** Delivery health over the last hour and day (rates are null when nothing was attempted). */
export const WebhookEndpointHealthSchema = z.object({
  successRate1h: z.number().min(0).max(1).nullable(),
  successRate24h: z.number().min(0).max(1).nullable(),
  p95LatencyMs1h: z.number().nonnegative().nullable(),
  p95LatencyMs24h: z.number().nonnegative().nullable(),
  consecutiveFailures: z.number().int().nonnegative(),
  firstFailureAt: IsoDateTimeSchema.nullable(),
});
export type WebhookEndpointHealth = z.infer<typeof WebhookEndpointHealthSchema>;

/** An endpoint as every read answers it: never with a secret. */
export const WebhookEndpointSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  events: z.array(WebhookEventTypeSchema),
  status: WebhookEndpointStatusSchema,
  disabledReason: z.string().nullable(),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;
export const WebhookEndpointDetailSchema = WebhookEndpointSchema.extend({
  health: WebhookEndpointHealthSchema,
});
/** `whsec_` + base64 of 32 random bytes: answered once, by create and rotate-secret. */
export const WebhookSecretSchema = z.string().regex(/^whsec_[A-Za-z0-9+/]{43}=$/);
export const WebhookEndpointCreatedSchema = WebhookEndpointSchema.extend({ secret: WebhookSecretSchema });
export const WebhookSecretRotatedSchema = z.object({
  secret: WebhookSecretSchema,
  /** Until then signatures are made with the previous secret too. */
  previousSecretExpiresAt: IsoDateTimeSchema,
});

const LimitSchema = z.coerce.number().int().min(1).max(100).default(50);
export const WebhookEndpointsQuerySchema = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: LimitSchema,
});
export const WebhookEndpointListSchema = z.object({
  endpoints: z.array(WebhookEndpointSchema),
  nextCursor: z.string().nullable(),
});

export const WebhookMessageStatusSchema = z.enum(['pending', 'delivered', 'failed']);
export const WebhookAttemptSchema = z.object({
  attemptNumber: z.number().int().positive(),
  trigger: z.enum(['scheduled', 'manual']),
  statusCode: z.number().int().nullable(),
  /** The receiver's answer, first 20 KB. */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
  nextAttemptAt: IsoDateTimeSchema.nullable(),
  createdAt: IsoDateTimeSchema,
});
export const WebhookDeliverySchema = z.object({
  messageId: WebhookMessageIdSchema,
  eventId: WebhookEventIdSchema,
  eventType: z.string(),
  status: WebhookMessageStatusSchema,
  attemptCount: z.number().int().nonnegative(),
  nextAttemptAt: IsoDateTimeSchema.nullable(),
  lastAttemptAt: IsoDateTimeSchema.nullable(),
  deliveredAt: IsoDateTimeSchema.nullable(),
  createdAt: IsoDateTimeSchema,
  attempts: z.array(WebhookAttemptSchema),
});
export const WebhookDeliveriesQuerySchema = z.strictObject({
  status: WebhookMessageStatusSchema.optional(),
  eventType: z.union([WebhookEventTypeSchema, WebhookNoticeTypeSchema]).optional(),
  since: IsoDateTimeSchema.optional(),
  until: IsoDateTimeSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: LimitSchema,
});
export const WebhookDeliveriesSchema = z.object({
  deliveries: z.array(WebhookDeliverySchema),
  nextCursor: z.string().nullable(),
});

export const WebhookEndpointParamsSchema = z.object({ id: z.uuid() });
export const WebhookMessageParamsSchema = z.object({ id: z.uuid(), messageId: WebhookMessageIdSchema });
export const WebhookRecoveryParamsSchema = z.object({ id: z.uuid(), recoveryId: z.uuid() });

export const WebhookResendAcceptedSchema = z.object({ messageId: WebhookMessageIdSchema });
export const WebhookRecoverRequestSchema = z
  .strictObject({ since: IsoDateTimeSchema, until: IsoDateTimeSchema.optional() })
  .refine((r) => !r.until || Date.parse(r.since) < Date.parse(r.until), {
    message: 'since must be before until',
    path: ['since'],
  });
export const WebhookRecoveryAcceptedSchema = z.object({ recoveryId: z.uuid() });
export const WebhookRecoverySchema = z.object({
  id: z.uuid(),
  endpointId: z.uuid(),
  since: IsoDateTimeSchema,
  until: IsoDateTimeSchema,
  status: z.enum(['running', 'completed', 'failed']),
  total: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  createdAt: IsoDateTimeSchema,
  finishedAt: IsoDateTimeSchema.nullable(),
});
export const WebhookTestRequestSchema = z
  .strictObject({ eventType: WebhookEventTypeSchema.default('document.indexed') })
  .default({ eventType: 'document.indexed' });
export const WebhookTestAcceptedSchema = z.object({
  eventId: WebhookEventIdSchema,
  messageId: WebhookMessageIdSchema,
});

const ENDPOINT = '/v1/webhooks/endpoints/:id';

/** Partner webhooks (billing-service): endpoints, their deliveries, replay and recovery. */
export const webhookRoutes = {
  createEndpoint: defineRoute({
    method: 'POST',
    path: '/v1/webhooks/endpoints',
    summary: 'Register a webhook endpoint; answers its signing secret once',
    auth: 'session',
    access: { role: 'admin' },
    body: CreateWebhookEndpointSchema,
    response: { 201: WebhookEndpointCreatedSchema },
  }),
  listEndpoints: defineRoute({
    method: 'GET',
    path: '/v1/webhooks/endpoints',
    summary: 'The tenant’s webhook endpoints',
    auth: 'session',
    access: { role: 'member' },
    querystring: WebhookEndpointsQuerySchema,
    response: { 200: WebhookEndpointListSchema },
  }),
  getEndpoint: defineRoute({
    method: 'GET',
    path: ENDPOINT,
    summary: 'A webhook endpoint with its delivery health',
    auth: 'session',
    access: { role: 'member' },
    params: WebhookEndpointParamsSchema,
    response: { 200: WebhookEndpointDetailSchema },
  }),
  updateEndpoint: defineRoute({
    method: 'PATCH',
    path: ENDPOINT,
    summary: 'Change an endpoint’s URL, events or description',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookEndpointParamsSchema,
    body: UpdateWebhookEndpointSchema,
    response: { 200: WebhookEndpointSchema },
  }),
  deleteEndpoint: defineRoute({
    method: 'DELETE',
    path: ENDPOINT,
    summary: 'Delete an endpoint and its delivery history',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookEndpointParamsSchema,
    response: { 204: z.undefined() },
  }),
  disableEndpoint: defineRoute({
    method: 'POST',
    path: `${ENDPOINT}/disable`,
    summary: 'Stop deliveries to an endpoint',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookEndpointParamsSchema,
    response: { 200: WebhookEndpointSchema },
  }),
  enableEndpoint: defineRoute({
    method: 'POST',
    path: `${ENDPOINT}/enable`,
    summary: 'Resume deliveries to an endpoint',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookEndpointParamsSchema,
    response: { 200: WebhookEndpointSchema },
  }),
  rotateSecret: defineRoute({
    method: 'POST',
    path: `${ENDPOINT}/rotate-secret`,
    summary: 'New signing secret; the previous one keeps signing for a grace period',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookEndpointParamsSchema,
    response: { 200: WebhookSecretRotatedSchema },
  }),
  testEndpoint: defineRoute({
    method: 'POST',
    path: `${ENDPOINT}/test`,
    summary: 'Send an example event to an endpoint',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookEndpointParamsSchema,
    body: WebhookTestRequestSchema,
    response: { 202: WebhookTestAcceptedSchema },
  }),
  listDeliveries: defineRoute({
    method: 'GET',
    path: `${ENDPOINT}/deliveries`,
    summary: 'Messages sent to an endpoint with every attempt, newest first',
    auth: 'session',
    access: { role: 'member' },
    params: WebhookEndpointParamsSchema,
    querystring: WebhookDeliveriesQuerySchema,
    response: { 200: WebhookDeliveriesSchema },
  }),
  resendMessage: defineRoute({
    method: 'POST',
    path: `${ENDPOINT}/messages/:messageId/resend`,
    summary: 'Send one message again, delivered or not',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookMessageParamsSchema,
    response: { 202: WebhookResendAcceptedSchema },
  }),
  recover: defineRoute({
    method: 'POST',
    path: `${ENDPOINT}/recover`,
    summary: 'Re-send every failed, never-delivered message of a period (background job)',
    auth: 'session',
    access: { role: 'admin' },
    params: WebhookEndpointParamsSchema,
    body: WebhookRecoverRequestSchema,
    response: { 202: WebhookRecoveryAcceptedSchema },
  }),
  getRecovery: defineRoute({
    method: 'GET',
    path: `${ENDPOINT}/recoveries/:recoveryId`,
    summary: 'Progress of a recovery',
    auth: 'session',
    access: { role: 'member' },
    params: WebhookRecoveryParamsSchema,
    response: { 200: WebhookRecoverySchema },
  }),
} as const;
