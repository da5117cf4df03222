import { envFragments, type PARTNER_GOALS } from '@mna/shared';
import { z } from 'zod';

const FactorWeightsSchema = z.strictObject({
  strategicFit: z.number().nonnegative(),
  sectorComplementarity: z.number().nonnegative(),
  sizeFit: z.number().nonnegative(),
  geographicFit: z.number().nonnegative(),
  networkProximity: z.number().nonnegative(),
  influence: z.number().nonnegative(),
});
export type FactorWeights = z.infer<typeof FactorWeightsSchema>;
export type PartnerWeights = Record<(typeof PARTNER_GOALS)[number], FactorWeights>;

/**
 * Default factor weights per goal: partners care most about the network. `acquisition` is scored by the
 * model fitted on real acquisitions (partners.acquisition-model.ts); its weights here are not read.
 */
export const DEFAULT_PARTNER_WEIGHTS: PartnerWeights = {
  acquisition: {
    strategicFit: 0.3,
    sectorComplementarity: 0.25,
    sizeFit: 0.2,
    geographicFit: 0.1,
    networkProximity: 0.1,
    influence: 0.05,
  },
  partnership: {
    strategicFit: 0.2,
    sectorComplementarity: 0.25,
    sizeFit: 0.1,
    geographicFit: 0.15,
    networkProximity: 0.2,
    influence: 0.1,
  },
  investment: {
    strategicFit: 0.25,
    sectorComplementarity: 0.15,
    sizeFit: 0.2,
    geographicFit: 0.05,
    networkProximity: 0.15,
    influence: 0.2,
  },
};

const PartnerWeightsSchema = z.strictObject({
  acquisition: FactorWeightsSchema,
  partnership: FactorWeightsSchema,
  investment: FactorWeightsSchema,
});

const jsonWeights = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (!text) return DEFAULT_PARTNER_WEIGHTS;
    try {
      return PartnerWeightsSchema.parse(JSON.parse(text));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `must be JSON weights per goal: ${String(error)}` });
      return z.NEVER;
    }
  });

export const configSpec = {
  service: 'ai-service',
  schema: z.object({
    ...envFragments.base(3002),
    ...envFragments.database,
    ...envFragments.redis,
    ...envFragments.internalAuth,
    SEARCH_SERVICE_URL: envFragments.services.SEARCH_SERVICE_URL,
    SEARCH_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
    /** Without a key the embedded local analyst answers (provider "local"). */
    ANTHROPIC_API_KEY: envFragments.optionalSecret,
    ANTHROPIC_BASE_URL: z.url().optional(),
    ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
    ANTHROPIC_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
    ANTHROPIC_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
    ANTHROPIC_MAX_TOKENS: z.coerce.number().int().positive().default(4_096),
    /** Lifetime of cached AI results; the key already changes with model, prompt and data. */
    AI_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
    /** Precomputed graph metrics (betweenness, PageRank, communities) per graph version. */
    GRAPH_METRICS_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(7 * 86_400),
    /** Above this many nodes betweenness is never computed in a request, only by the worker. */
    INLINE_BETWEENNESS_MAX_NODES: z.coerce.number().int().positive().default(1_500),
    PARTNER_WEIGHTS: jsonWeights,
    WORKER_CONCURRENCY: z.coerce.number().int().positive().default(2),
  }),
  productionRequires: [
    'INTERNAL_TOKEN_SECRET',
    'DATABASE_URL',
    'MIGRATION_DATABASE_URL',
    'REDIS_URL',
    'SEARCH_SERVICE_URL',
    'ANTHROPIC_API_KEY',
  ],
} as const;

export type AiConfig = z.output<typeof configSpec.schema>;
