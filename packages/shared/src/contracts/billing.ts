import { z } from 'zod';
import { CurrencySchema, EntitlementsSchema, IntervalSchema, PlanIdSchema, PlanSchema } from '../plans.js';
import { IsoDateTimeSchema } from './common.js';
import { defineRoute } from './route.js';

export const PlansQuerySchema = z.strictObject({ currency: CurrencySchema.optional() });
export const PlansResponseSchema = z.object({ plans: z.array(PlanSchema) });

export const CheckoutRequestSchema = z.strictObject({
  plan: PlanIdSchema,
  interval: IntervalSchema,
  currency: CurrencySchema,
  successUrl: z.url(),
  cancelUrl: z.url(),
});
export const RedirectSchema = z.object({ url: z.url() });
export const PortalRequestSchema = z.strictObject({ returnUrl: z.url() });

export const SUBSCRIPTION_STATUSES = [
  'none',
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
] as const;
export const SubscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);

export const SubscriptionSchema = z.object({
  plan: PlanIdSchema.nullable(),
  status: SubscriptionStatusSchema,
  interval: IntervalSchema.nullable(),
  currency: CurrencySchema.nullable(),
  currentPeriodEnd: IsoDateTimeSchema.nullable(),
  cancelAtPeriodEnd: z.boolean(),
  graceUntil: IsoDateTimeSchema.nullable(),
  entitlements: EntitlementsSchema,
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

export const PlanChangeSchema = z.strictObject({ plan: PlanIdSchema, interval: IntervalSchema });
export const PlanChangePreviewSchema = z.object({
  plan: PlanIdSchema,
  interval: IntervalSchema,
  currency: CurrencySchema,
  prorationAmount: z.number().int().describe('Minor units due now (negative is a credit)'),
  nextInvoiceAmount: z.number().int(),
});

export const AnalyticsQuerySchema = z.strictObject({
  from: IsoDateTimeSchema.optional(),
  to: IsoDateTimeSchema.optional(),
});
const MoneyByCurrency = z.record(z.string(), z.number().int());
export const AnalyticsSchema = z.object({
  period: z.object({ from: IsoDateTimeSchema, to: IsoDateTimeSchema }),
  mrr: MoneyByCurrency,
  arr: MoneyByCurrency,
  subscribers: z.array(
    z.object({ plan: PlanIdSchema, status: SubscriptionStatusSchema, count: z.number().int() }),
  ),
  movements: z.record(
    z.string(),
    z.object({
      new: z.number().int(),
      expansion: z.number().int(),
      contraction: z.number().int(),
      churned: z.number().int(),
    }),
  ),
  logoChurnRate: z.number(),
  revenueChurnRate: MoneyByCurrency.or(z.record(z.string(), z.number())),
  dunning: z.object({
    started: z.number().int(),
    recovered: z.number().int(),
    recoveryRate: z.number(),
    recoveredRevenue: MoneyByCurrency,
  }),
});

/** What the gateway reads to enforce a tenant's plan. */
export const TenantEntitlementsSchema = z.object({
  tenantId: z.string(),
  plan: PlanIdSchema,
  status: SubscriptionStatusSchema,
  entitlements: EntitlementsSchema,
  /**
   * Whether a subscription (active, trialing, or past due within its grace) or the development plan
   * grants these entitlements. False: no paid entitlements; `plan` is then only the ceiling of limits.
   */
  paid: z.boolean(),
  /** End of the current billing period (monthly quotas reset there); null without a subscription. */
  periodEnd: IsoDateTimeSchema.nullable(),
});
export type TenantEntitlements = z.infer<typeof TenantEntitlementsSchema>;

export const WebhookAckSchema = z.object({ received: z.literal(true), duplicate: z.boolean() });

/** A Stripe event that exhausted its retries. */
export const DeadLetterSchema = z.object({
  id: z.string(),
  type: z.string(),
  customerId: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  receivedAt: IsoDateTimeSchema,
});
export const DeadLettersResponseSchema = z.object({ events: z.array(DeadLetterSchema) });
export const DeadLettersQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** Replay one dead-lettered event by id, or every one received in a time range. */
export const ReplayRequestSchema = z.union([
  z.strictObject({ eventId: z.string().min(1) }),
  z.strictObject({ from: IsoDateTimeSchema, to: IsoDateTimeSchema }),
]);
export const ReplayResponseSchema = z.object({ replayed: z.array(z.string()) });

export const billingRoutes = {
  plans: defineRoute({
    method: 'GET',
    path: '/v1/billing/plans',
    summary: 'The plan catalog with monthly and annual prices',
    auth: 'public',
    querystring: PlansQuerySchema,
    response: { 200: PlansResponseSchema },
  }),
  checkout: defineRoute({
    method: 'POST',
    path: '/v1/billing/checkout',
    summary: 'Start a Stripe Checkout session for a plan',
    auth: 'session',
    access: { role: 'admin', unpaid: true },
    body: CheckoutRequestSchema,
    response: { 200: RedirectSchema },
  }),
  portal: defineRoute({
    method: 'POST',
    path: '/v1/billing/portal',
    summary: 'Open the Stripe customer portal',
    auth: 'session',
    access: { role: 'admin', unpaid: true },
    body: PortalRequestSchema,
    response: { 200: RedirectSchema },
  }),
  subscription: defineRoute({
    method: 'GET',
    path: '/v1/billing/subscription',
    summary: 'The tenant’s plan, status, period and entitlements',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'billing:read', unpaid: true },
    response: { 200: SubscriptionSchema },
  }),
  changePreview: defineRoute({
    method: 'GET',
    path: '/v1/billing/subscription/change-preview',
    summary: 'Preview the prorated amount of a plan or interval change',
    auth: 'session',
    access: { role: 'admin', unpaid: true },
    querystring: PlanChangeSchema,
    response: { 200: PlanChangePreviewSchema },
  }),
  change: defineRoute({
    method: 'POST',
    path: '/v1/billing/subscription/change',
    summary: 'Change plan or interval with proration',
    auth: 'session',
    access: { role: 'admin', unpaid: true },
    body: PlanChangeSchema,
    response: { 200: SubscriptionSchema },
  }),
  analytics: defineRoute({
    method: 'GET',
    path: '/v1/billing/analytics',
    summary: 'Revenue analytics (platform admins only)',
    auth: 'session',
    access: { role: 'platform-admin', unpaid: true },
    querystring: AnalyticsQuerySchema,
    response: { 200: AnalyticsSchema },
  }),
  stripeWebhook: defineRoute({
    method: 'POST',
    path: '/webhooks/stripe',
    summary: 'Stripe events, signature-verified on the raw body',
    auth: 'public',
    response: { 200: WebhookAckSchema },
  }),
  deadLetters: defineRoute({
    method: 'GET',
    path: '/v1/billing/admin/webhooks/dead-letters',
    summary: 'Stripe events that exhausted their retries (platform admins only)',
    auth: 'session',
    access: { role: 'platform-admin', unpaid: true },
    querystring: DeadLettersQuerySchema,
    response: { 200: DeadLettersResponseSchema },
  }),
  replayWebhooks: defineRoute({
    method: 'POST',
    path: '/v1/billing/admin/webhooks/replay',
    summary: 'Re-process dead-lettered Stripe events by id or time range (platform admins only)',
    auth: 'session',
    access: { role: 'platform-admin', unpaid: true },
    body: ReplayRequestSchema,
    response: { 202: ReplayResponseSchema },
  }),
  entitlements: defineRoute({
    method: 'GET',
    path: '/internal/entitlements/:tenantId',
    summary: 'A tenant’s plan and entitlements, for the gateway',
    auth: 'internal',
    params: z.object({ tenantId: z.string().min(1).max(200) }),
    response: { 200: TenantEntitlementsSchema },
  }),
} as const;
