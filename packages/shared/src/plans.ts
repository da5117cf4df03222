import { z } from 'zod';

export const PLAN_IDS = ['solo', 'growth', 'enterprise'] as const;
export const PlanIdSchema = z.enum(PLAN_IDS);
export type PlanId = z.infer<typeof PlanIdSchema>;

export const CURRENCIES = ['usd', 'gbp', 'eur'] as const;
export const CurrencySchema = z.enum(CURRENCIES);
export type Currency = z.infer<typeof CurrencySchema>;

export const INTERVALS = ['month', 'year'] as const;
export const IntervalSchema = z.enum(INTERVALS);
export type Interval = z.infer<typeof IntervalSchema>;

export const FEATURES = ['mcp', 'analytics'] as const;
export const FeatureSchema = z.enum(FEATURES);
export type Feature = z.infer<typeof FeatureSchema>;

export const EntitlementsSchema = z.object({
  requestsPerMinute: z.number().int().positive(),
  /** The stricter bucket for expensive routes (AI analysis). */
  aiRequestsPerMinute: z.number().int().positive(),
  aiAnalysesPerMonth: z.number().int().positive(),
  seats: z.number().int().positive(),
  mcpAccess: z.boolean(),
  analytics: z.boolean(),
});
export type Entitlements = z.infer<typeof EntitlementsSchema>;

/** Annual price = 12 × monthly less 10%, in integer minor units (no float drift). */
export const annualFromMonthly = (monthlyMinor: number): number => Math.round((monthlyMinor * 12 * 9) / 10);

type PlanDefinition = {
  id: PlanId;
  name: string;
  description: string;
  /** Fixed monthly price points in minor units; GBP and EUR are set, never converted at run time. */
  monthly: Record<Currency, number>;
  entitlements: Entitlements;
};

const definitions: readonly PlanDefinition[] = [
  {
    id: 'solo',
    name: 'Solo',
    description: 'For an independent advisor or a single deal lead.',
    monthly: { usd: 27_900, gbp: 22_900, eur: 25_900 },
    entitlements: {
      requestsPerMinute: 120,
      aiRequestsPerMinute: 10,
      aiAnalysesPerMonth: 50,
      seats: 1,
      mcpAccess: false,
      analytics: false,
    },
  },
  {
    id: 'growth',
    name: 'Growth',
    description: 'For corporate-development teams and boutique advisors.',
    monthly: { usd: 79_800, gbp: 64_900, eur: 73_900 },
    entitlements: {
      requestsPerMinute: 600,
      aiRequestsPerMinute: 30,
      aiAnalysesPerMonth: 500,
      seats: 10,
      mcpAccess: true,
      analytics: false,
    },
  },
  {
    id: 'enterprise',
    name: 'Enterprise',
    description: 'For private-equity funds and M&A advisory firms.',
    monthly: { usd: 159_800, gbp: 129_900, eur: 147_900 },
    entitlements: {
      requestsPerMinute: 3_000,
      aiRequestsPerMinute: 120,
      aiAnalysesPerMonth: 5_000,
      seats: 50,
      mcpAccess: true,
      analytics: true,
    },
  },
];

export const PriceSchema = z.object({
  plan: PlanIdSchema,
  currency: CurrencySchema,
  interval: IntervalSchema,
  unitAmount: z.number().int().positive().describe('Minor units (cents, pence)'),
  lookupKey: z.string(),
});
export type Price = z.infer<typeof PriceSchema>;

export const PlanSchema = z.object({
  id: PlanIdSchema,
  name: z.string(),
  description: z.string(),
  rank: z.number().int(),
  entitlements: EntitlementsSchema,
  prices: z.array(PriceSchema),
});
export type Plan = z.infer<typeof PlanSchema>;

/** Stripe lookup key of a price: the only way the catalog addresses Stripe prices. */
export const priceLookupKey = (plan: PlanId, interval: Interval, currency: Currency): string =>
  `mna_${plan}_${interval}_${currency}`;

/** The catalog: every plan with its entitlements and its 2 intervals × 3 currencies of prices. */
export const PLANS: readonly Plan[] = Object.freeze(
  definitions.map((d, rank) => ({
    id: d.id,
    name: d.name,
    description: d.description,
    rank,
    entitlements: d.entitlements,
    prices: CURRENCIES.flatMap((currency) =>
      INTERVALS.map((interval) => ({
        plan: d.id,
        currency,
        interval,
        unitAmount: interval === 'month' ? d.monthly[currency] : annualFromMonthly(d.monthly[currency]),
        lookupKey: priceLookupKey(d.id, interval, currency),
      })),
    ),
  })),
);

export const getPlan = (id: PlanId): Plan => PLANS.find((p) => p.id === id)!;
/** The plan whose limits apply when the real plan cannot be known (never unlimited). */
export const LOWEST_PLAN: Plan = PLANS[0]!;

/** The cheapest plan that includes a feature, for 403 messages. */
export function cheapestPlanWith(feature: Feature): Plan | undefined {
  const key = feature === 'mcp' ? 'mcpAccess' : 'analytics';
  return PLANS.find((p) => p.entitlements[key]);
}

/** The cheapest plan whose numeric entitlement is at least `needed` (for 402 messages); none if no plan is. */
export function cheapestPlanAllowing(key: 'aiAnalysesPerMonth' | 'seats', needed: number): Plan | undefined {
  return PLANS.find((p) => p.entitlements[key] >= needed);
}
