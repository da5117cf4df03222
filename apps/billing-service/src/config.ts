import { envFragments, PlanIdSchema } from '@mna/shared';
import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE, parseDuration } from './modules/partner-webhooks/schedule.js';

const DAY_MS = 86_400_000;
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
const numbers = (fallback: string) => list(fallback).transform((items) => items.map(Number));

export const configSpec = {
  service: 'billing-service',
  schema: z
    .object({
      ...envFragments.base(3003),
      ...envFragments.database,
      ...envFragments.redis,
      ...envFragments.internalAuth,
      /** Without it the catalog and entitlements work; Stripe-backed routes answer 501 (not configured). */
      STRIPE_SECRET_KEY: envFragments.optionalSecret,
      STRIPE_WEBHOOK_SECRET: envFragments.optionalSecret,
      /** Only ever set in tests and benchmarks: points the real SDK at a local fake of the Stripe API. */
      STRIPE_API_HOST: z.string().optional(),
      STRIPE_API_PORT: z.coerce.number().int().positive().optional(),
      STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),
      STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
      /** Signature tolerance of webhook deliveries. */
      STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
      /**
       * Development only, never with a Stripe key: the plan a tenant without a subscription gets, so the
       * demo can reach every feature. Defaults to enterprise in development, unset elsewhere.
       */
      BILLING_DEV_PLAN: PlanIdSchema.optional(),
      /** Days of Stripe trial (`trial_period_days`) on a tenant's first Checkout; 0 for none. */
      BILLING_TRIAL_DAYS: z.coerce.number().int().min(0).max(730).default(14),
      BILLING_GRACE_DAYS: z.coerce.number().positive().default(7),
      /** Days after a failed payment at which reminders go out. */
      BILLING_DUNNING_DAYS: numbers('0,3,7').pipe(z.array(z.number().min(0))),
      BILLING_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(8),
      BILLING_WEBHOOK_BACKOFF_MS: z.coerce.number().int().positive().default(2_000),
      BILLING_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(8),
      /** Webhook intake group commit: events per insert/addBulk, longest wait for companions, batches in flight. */
      BILLING_INTAKE_BATCH_MAX: z.coerce.number().int().min(1).max(1_000).default(200),
      BILLING_INTAKE_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(50).default(0),
      BILLING_INTAKE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
      /** The worker enqueues stored, unprocessed events this old (an enqueue that failed), this often. */
      BILLING_INTAKE_SWEEP_SECONDS: z.coerce.number().int().positive().default(60),
      /** User ids allowed to read revenue analytics and manage dead-lettered events. */
      BILLING_PLATFORM_ADMINS: list(''),
      SMTP_URL: envFragments.optionalSecret,
      EMAIL_FROM: z.string().default('MNA Billing <billing@mna.dev>'),
      /** How long a rotated-out partner webhook secret keeps signing deliveries. */
      WEBHOOK_SECRET_GRACE_HOURS: z.coerce.number().min(0).max(720).default(24),
      /**
       * Tests and the dev platform only: partner webhook URLs may point at private addresses (127.0.0.1
       * receivers). Refused with NODE_ENV=production.
       */
      WEBHOOK_ALLOW_PRIVATE_URLS: z.stringbool().default(false),
      /** Whole exchange with a partner endpoint, body included. */
      WEBHOOK_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
      /** Delay before each scheduled attempt (`0,5s,5m,...`): its length is the number of attempts. */
      WEBHOOK_RETRY_SCHEDULE: list(DEFAULT_RETRY_SCHEDULE)
        .refine((items) => items.length > 0 && items.every((i) => parseDuration(i) !== undefined), {
          message: 'a comma-separated list of durations such as 0,250ms,5s,30m,2h,1d',
        })
        .transform((items) => items.map((i) => parseDuration(i)!)),
      /** ±jitter applied to every retry delay (0.2 = ±20 %). */
      WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(0.5).default(0.2),
      /** Longest wait a receiver's Retry-After may impose. */
      WEBHOOK_RETRY_AFTER_MAX_SECONDS: z.coerce.number().int().positive().default(86_400),
      /** An endpoint failing without a success this long is disabled; warned this many hours before. */
      WEBHOOK_DISABLE_AFTER_DAYS: z.coerce.number().positive().default(5),
      WEBHOOK_DISABLE_WARNING_HOURS: z.coerce.number().positive().default(24),
      /** Deliveries in flight per worker process. */
      WEBHOOK_DELIVERY_CONCURRENCY: z.coerce.number().int().positive().default(32),
      /** How often lost attempts are re-enqueued and long-failing endpoints checked. */
      WEBHOOK_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().positive().default(60),
      /** Endpoints exported as health gauges per scrape (failing and recently active first). */
      WEBHOOK_METRICS_MAX_ENDPOINTS: z.coerce.number().int().positive().default(500),
    })
    .refine((c) => !(c.NODE_ENV === 'production' && c.WEBHOOK_ALLOW_PRIVATE_URLS), {
      message: 'must not be set in production',
      path: ['WEBHOOK_ALLOW_PRIVATE_URLS'],
    }),
  productionRequires: [
    'INTERNAL_TOKEN_SECRET',
    'DATABASE_URL',
    'MIGRATION_DATABASE_URL',
    'REDIS_URL',
    'STRIPE_SECRET_KEY',
    'STRIPE_WEBHOOK_SECRET',
  ],
} as const;

export type BillingConfig = z.output<typeof configSpec.schema>;

/** The plan override honoured only in development without Stripe (see BILLING_DEV_PLAN). */
export function devPlanOverride(
  config: Pick<BillingConfig, 'NODE_ENV' | 'STRIPE_SECRET_KEY' | 'BILLING_DEV_PLAN'>,
) {
  if (config.NODE_ENV === 'production' || config.STRIPE_SECRET_KEY) return undefined;
  return config.BILLING_DEV_PLAN ?? (config.NODE_ENV === 'development' ? 'enterprise' : undefined);
}

export const daysToMs = (days: number) => Math.round(days * DAY_MS);
