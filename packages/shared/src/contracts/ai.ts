import { z } from 'zod';
import { IdParamsSchema, IsoDateTimeSchema } from './common.js';
import { defineRoute } from './route.js';

export const DealInputSchema = z.strictObject({
  target: z.string().min(1).max(300),
  acquirer: z.string().min(1).max(300).optional(),
  sector: z.string().min(1).max(120),
  geography: z.string().min(1).max(120).optional(),
  financials: z
    .strictObject({
      currency: z.string().length(3).default('USD'),
      revenue: z.number().nonnegative().optional(),
      ebitda: z.number().optional(),
      revenueGrowthPct: z.number().min(-100).max(1000).optional(),
      netDebt: z.number().optional(),
      askingPrice: z.number().positive().optional(),
      enterpriseValue: z.number().positive().optional(),
    })
    .default({ currency: 'USD' }),
  notes: z.string().max(50_000).optional(),
  documentIds: z.array(z.uuid()).max(50).optional(),
});
export type DealInput = z.input<typeof DealInputSchema>;

export const RiskSchema = z.object({
  category: z.enum([
    'financial',
    'leverage',
    'valuation',
    'growth',
    'legal',
    'commercial',
    'operational',
    'people',
    'regulatory',
    'data',
  ]),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  evidence: z.string(),
  mitigation: z.string(),
});

export const MultipleSchema = z.object({
  value: z.number().nullable(),
  benchmarkLow: z.number(),
  benchmarkHigh: z.number(),
  assessment: z.enum(['below_range', 'within_range', 'above_range', 'unknown']),
});

/** A passage an analysis relies on: the document, the chunk, and a verbatim quote checked to occur in that chunk. */
export const QuoteCitationSchema = z.object({
  documentId: z.uuid(),
  chunkId: z.uuid(),
  quote: z.string().min(1).max(2000),
});
export type QuoteCitation = z.infer<typeof QuoteCitationSchema>;

export const DealAnalysisSchema = z.object({
  recommendation: z.enum(['proceed', 'proceed_with_conditions', 'pass']),
  confidence: z.number().min(0).max(1),
  summary: z.string(),
  valuation: z.object({
    evToEbitda: MultipleSchema,
    evToRevenue: MultipleSchema,
    benchmarkSource: z.string(),
  }),
  risks: z.array(RiskSchema),
  strengths: z.array(z.string()),
  nextSteps: z.array(z.string()),
  /** Ids of the documents the analysis relied on. */
  citations: z.array(z.uuid()),
  /** The passages behind the analysis (added after `citations`; answers cached before it read as []). */
  quotes: z.array(QuoteCitationSchema).default([]),
  provider: z.enum(['anthropic', 'local']),
  model: z.string(),
  promptVersion: z.string(),
  cached: z.boolean(),
});
export type DealAnalysis = z.infer<typeof DealAnalysisSchema>;

/** The part of an analysis the model writes (structured output); the service adds valuation and provenance. */
export const DealAssessmentSchema = DealAnalysisSchema.pick({
  recommendation: true,
  confidence: true,
  summary: true,
  risks: true,
  strengths: true,
  nextSteps: true,
  citations: true,
}).extend({ quotes: z.array(QuoteCitationSchema) });
export type DealAssessment = z.infer<typeof DealAssessmentSchema>;

export const AnalyzeQuerySchema = z.strictObject({ async: z.stringbool().default(false) });
export const AiJobAcceptedSchema = z.object({ jobId: z.string(), status: z.literal('queued') });
export const AiJobSchema = z.object({
  jobId: z.string(),
  status: z.enum(['queued', 'active', 'completed', 'failed']),
  result: DealAnalysisSchema.nullable(),
  error: z.string().nullable(),
});

export const PARTNER_GOALS = ['acquisition', 'partnership', 'investment'] as const;
export const PartnerSearchSchema = z.strictObject({
  companyId: z.uuid(),
  goal: z.enum(PARTNER_GOALS),
  limit: z.number().int().min(1).max(50).default(10),
});
export const PartnerCandidateSchema = z.object({
  companyId: z.uuid(),
  name: z.string(),
  score: z.number().min(0).max(1),
  factors: z.object({
    strategicFit: z.number(),
    sectorComplementarity: z.number(),
    sizeFit: z.number(),
    geographicFit: z.number(),
    networkProximity: z.number(),
    influence: z.number(),
    /** TF-IDF cosine of the two profiles (industry, tags, description), IDF over the candidates seen. */
    textSimilarity: z.number(),
    /** Jaccard of the two tag sets (category overlap). */
    tagOverlap: z.number(),
    /** Highest text similarity to a company the searcher is already tied to (what it bought or works with). */
    portfolioFit: z.number(),
  }),
  /** What the score rests on: the factors that moved it most, and the data behind them. */
  evidence: z.object({
    /** Factors by their pull on the score (positive raises it), strongest first. */
    drivers: z.array(z.object({ factor: z.string(), value: z.number(), contribution: z.number() })),
    sharedTags: z.array(z.string()),
    textSimilarity: z.number(),
    /** The searcher's tied company the candidate resembles most, when there is one. */
    closestTie: z.object({ companyId: z.uuid(), name: z.string(), similarity: z.number() }).nullable(),
    /** The strongest warm path from the searcher to the candidate (company names), if any. */
    networkPath: z.array(z.string()).nullable(),
    /** Factors with no data for the pair: they count as unknown (neutral), never as a mismatch. */
    unknown: z.array(z.string()),
  }),
  rationale: z.string(),
});
export const PartnerResultsSchema = z.object({
  companyId: z.uuid(),
  goal: z.enum(PARTNER_GOALS),
  candidates: z.array(PartnerCandidateSchema),
  /** Who wrote the rationales: Claude when configured, else the local template. Scores are always computed. */
  rationaleBy: z.object({
    provider: z.enum(['anthropic', 'local']),
    model: z.string(),
    promptVersion: z.string(),
  }),
  cached: z.boolean(),
});

export const InfluenceQuerySchema = z.strictObject({
  depth: z.coerce.number().int().min(1).max(6).default(3),
  to: z.uuid().optional(),
});
export const InfluenceMapSchema = z.object({
  companyId: z.uuid(),
  nodes: z.array(
    z.object({
      companyId: z.uuid(),
      name: z.string(),
      pagerank: z.number(),
      betweenness: z.number(),
      community: z.number(),
    }),
  ),
  brokers: z.array(z.object({ companyId: z.uuid(), name: z.string(), betweenness: z.number() })),
  warmPaths: z.array(z.object({ path: z.array(z.uuid()), strength: z.number() })),
  computedAt: IsoDateTimeSchema,
  cached: z.boolean(),
});

export const aiRoutes = {
  analyzeDeal: defineRoute({
    method: 'POST',
    path: '/v1/ai/deals/analyze',
    summary: 'Analyse a deal: recommendation, valuation, risks, next steps, citations',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'analyses:write' },
    quota: 'aiAnalysesPerMonth',
    querystring: AnalyzeQuerySchema,
    body: DealInputSchema,
    response: { 200: DealAnalysisSchema, 202: AiJobAcceptedSchema },
  }),
  getJob: defineRoute({
    method: 'GET',
    path: '/v1/ai/jobs/:id',
    summary: 'An asynchronous analysis job and its result',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'analyses:read' },
    params: z.object({ id: z.string().min(1).max(200) }),
    response: { 200: AiJobSchema },
  }),
  findPartners: defineRoute({
    method: 'POST',
    path: '/v1/ai/partners/find',
    summary: 'Rank partnership or acquisition candidates with a per-factor breakdown',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'analyses:write' },
    body: PartnerSearchSchema,
    response: { 200: PartnerResultsSchema },
  }),
  influence: defineRoute({
    method: 'GET',
    path: '/v1/ai/companies/:id/influence',
    summary: 'Influence map: centrality, brokers and warm introduction paths',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'analyses:read' },
    params: IdParamsSchema,
    querystring: InfluenceQuerySchema,
    response: { 200: InfluenceMapSchema },
  }),
  /** MCP Streamable HTTP (JSON-RPC bodies; GET and DELETE on the same path), stateless. */
  mcp: defineRoute({
    method: 'POST',
    path: '/v1/mcp',
    summary: 'MCP server for AI assistants (Streamable HTTP; GET and DELETE on the same path)',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'mcp' },
    feature: 'mcp',
    body: z.unknown(),
    response: { 200: z.unknown() },
  }),
} as const;

/** Methods the MCP endpoint answers on `aiRoutes.mcp.path`. */
export const MCP_METHODS = ['GET', 'POST', 'DELETE'] as const;
