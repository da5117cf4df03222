import { envFragments, PlanIdSchema } from '@mna/shared';
import { z } from 'zod';

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
  schema: z.object({
    ...envFragments.base(3003),
    ...envFragments.database,
    ...envFragments.redis,
    ...envFragments.internalAuth,
    /** Without it the catalog and entitlements work; Stripe-backed routes answer 503. */
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
    BILLING_GRACE_DAYS: z.coerce.number().positive().default(7),
    /** Days after a failed payment at which reminders go out. */
    BILLING_DUNNING_DAYS: numbers('0,3,7').pipe(z.array(z.number().min(0))),
    BILLING_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(8),
    BILLING_WEBHOOK_BACKOFF_MS: z.coerce.number().int().positive().default(2_000),
    BILLING_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(8),
    /** User ids allowed to read revenue analytics and manage dead-lettered events. */
    BILLING_PLATFORM_ADMINS: list(''),
    SMTP_URL: envFragments.optionalSecret,
    EMAIL_FROM: z.string().default('MNA Billing <billing@mna.dev>'),
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
