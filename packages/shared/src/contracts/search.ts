import { z } from 'zod';
import { IdParamsSchema, IsoDateTimeSchema } from './common.js';
import { defineRoute } from './route.js';

export const DOCUMENT_KINDS = ['company_profile', 'deal_memo', 'cim', 'news', 'note'] as const;
export const DocumentKindSchema = z.enum(DOCUMENT_KINDS);
export const DocumentStatusSchema = z.enum(['queued', 'indexed', 'failed']);

/** Largest document body accepted, in characters. */
export const MAX_DOCUMENT_CHARS = 2_000_000;

export const DocumentMetadataSchema = z.strictObject({
  industry: z.string().max(120).optional(),
  region: z.string().max(120).optional(),
  dealSizeUsd: z.number().nonnegative().optional(),
  tags: z.array(z.string().min(1).max(64)).max(50).optional(),
  companyId: z.uuid().optional(),
  publishedAt: IsoDateTimeSchema.optional(),
});
export type DocumentMetadata = z.infer<typeof DocumentMetadataSchema>;

export const DocumentInputSchema = z.strictObject({
  externalId: z.string().min(1).max(200),
  kind: DocumentKindSchema,
  title: z.string().min(1).max(500),
  content: z.string().min(1).max(MAX_DOCUMENT_CHARS),
  metadata: DocumentMetadataSchema.default({}),
});
export type DocumentInput = z.input<typeof DocumentInputSchema>;

export const DocumentAcceptedSchema = z.object({ id: z.uuid(), status: DocumentStatusSchema });
export const BulkDocumentsSchema = z.strictObject({
  documents: z.array(DocumentInputSchema).min(1).max(1000),
});
export const BulkAcceptedSchema = z.object({ ids: z.array(z.uuid()), batchId: z.uuid() });

export const DocumentSchema = z.object({
  id: z.uuid(),
  externalId: z.string(),
  kind: DocumentKindSchema,
  title: z.string(),
  metadata: DocumentMetadataSchema,
  status: DocumentStatusSchema,
  chunkCount: z.number().int().nonnegative(),
  error: z.string().nullable(),
  deadLettered: z.boolean(),
  /**
   * The model that embedded the document's chunks (e.g. `text-embedding-3-small`, `local-idf-v2`); null
   * before any is embedded. After a change of model it names the old one until the new vectors are in.
   */
  embeddingModel: z.string().nullable(),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
});
export type Document = z.infer<typeof DocumentSchema>;

export const SEARCH_MODES = ['hybrid', 'semantic', 'keyword'] as const;
export const SearchFiltersSchema = z.strictObject({
  kind: z.array(DocumentKindSchema).min(1).optional(),
  industry: z.array(z.string().min(1)).min(1).optional(),
  region: z.array(z.string().min(1)).min(1).optional(),
  tags: z.array(z.string().min(1)).min(1).optional(),
  companyId: z.uuid().optional(),
  dealSizeUsd: z
    .strictObject({ min: z.number().nonnegative().optional(), max: z.number().nonnegative().optional() })
    .optional(),
  publishedAfter: IsoDateTimeSchema.optional(),
  publishedBefore: IsoDateTimeSchema.optional(),
});
export type SearchFilters = z.infer<typeof SearchFiltersSchema>;

/** How hybrid search fuses its semantic and keyword legs. */
export const SEARCH_FUSIONS = ['rrf', 'convex'] as const;
export const SearchFusionSchema = z.enum(SEARCH_FUSIONS);
export type SearchFusion = z.infer<typeof SearchFusionSchema>;

export const SearchRequestSchema = z.strictObject({
  query: z.string().trim().min(1).max(2000),
  mode: z.enum(SEARCH_MODES).default('hybrid'),
  /**
   * Hybrid only: `rrf` (Reciprocal Rank Fusion) or `convex` (α·semantic + (1 − α)·keyword, each leg
   * min-max normalised). Default: the service's configured fusion.
   */
  fusion: SearchFusionSchema.optional(),
  /** Convex fusion only: the semantic leg's weight α. Default: the service's configured α. */
  alpha: z.number().min(0).max(1).optional(),
  /** Adds `explain` to every result: matched BM25 terms, semantic similarity, ranks. */
  explain: z.boolean().default(false),
  filters: SearchFiltersSchema.optional(),
  limit: z.number().int().min(1).max(100).default(10),
  /** Opaque; it carries the first page's BM25 statistics, so it grows with the query's length. */
  cursor: z.string().min(1).max(16_000).optional(),
  minScore: z.number().min(0).optional(),
});
export type SearchRequest = z.input<typeof SearchRequestSchema>;

/** Why a result ranks where it does. Ranks are 1-based; null when the result is outside that list. */
export const SearchExplainSchema = z.object({
  /** BM25 terms (stemmed lexemes) of the query in the result's best keyword chunk, largest first. */
  terms: z.array(z.object({ term: z.string(), contribution: z.number() })),
  /** Cosine similarity of the result's chunk to the query (null while the chunk is not embedded). */
  semantic: z.number().nullable(),
  /** Rank of the document in the keyword list (hybrid: its BM25 window; keyword mode: the results). */
  keywordRank: z.number().int().positive().nullable(),
  /** Rank of the document in the semantic list (hybrid: its vector window; semantic mode: the results). */
  semanticRank: z.number().int().positive().nullable(),
  /** Rank in the answer across pages: the position after fusion (or the single mode's order). */
  fusedRank: z.number().int().positive(),
});
export type SearchExplain = z.infer<typeof SearchExplainSchema>;

export const SearchResultSchema = z.object({
  documentId: z.uuid(),
  chunkId: z.uuid(),
  title: z.string(),
  snippet: z.string(),
  score: z.number(),
  scores: z.object({ semantic: z.number().optional(), keyword: z.number().optional() }),
  metadata: DocumentMetadataSchema,
  kind: DocumentKindSchema,
  /** Only with `explain: true`. */
  explain: SearchExplainSchema.optional(),
});
export type SearchResult = z.infer<typeof SearchResultSchema>;

export const SearchResponseSchema = z.object({
  results: z.array(SearchResultSchema),
  nextCursor: z.string().nullable(),
  tookMs: z.number(),
});
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

export const CompanyInputSchema = z.strictObject({
  externalId: z.string().min(1).max(200).optional(),
  name: z.string().min(1).max(300),
  description: z.string().max(20_000).default(''),
  industry: z.string().max(120).optional(),
  region: z.string().max(120).optional(),
  // An integer column (int4): larger head counts would fail in the database, not here.
  employees: z.number().int().nonnegative().max(2_147_483_647).optional(),
  revenueUsd: z.number().nonnegative().optional(),
  tags: z.array(z.string().min(1).max(64)).max(50).default([]),
});
export type CompanyInput = z.input<typeof CompanyInputSchema>;

export const CompanySchema = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  name: z.string(),
  description: z.string(),
  industry: z.string().nullable(),
  region: z.string().nullable(),
  employees: z.number().nullable(),
  revenueUsd: z.number().nullable(),
  tags: z.array(z.string()),
  embeddingStatus: DocumentStatusSchema,
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
});
export type Company = z.infer<typeof CompanySchema>;

export const CompanyListQuerySchema = z.strictObject({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2000).optional(),
});
export const CompanyListSchema = z.object({
  companies: z.array(CompanySchema),
  nextCursor: z.string().nullable(),
});

export const RELATIONSHIP_KINDS = [
  'investor',
  'partner',
  'supplier',
  'customer',
  'board',
  'acquirer',
  'advisor',
] as const;
export const RelationshipKindSchema = z.enum(RELATIONSHIP_KINDS);

export const RelationshipInputSchema = z.strictObject({
  fromCompanyId: z.uuid(),
  toCompanyId: z.uuid(),
  kind: RelationshipKindSchema,
  strength: z.number().min(0).max(1),
  source: z.string().max(500).optional(),
  since: IsoDateTimeSchema.optional(),
});
export type RelationshipInput = z.input<typeof RelationshipInputSchema>;

export const RelationshipSchema = z.object({
  id: z.uuid(),
  fromCompanyId: z.uuid(),
  toCompanyId: z.uuid(),
  kind: RelationshipKindSchema,
  strength: z.number(),
  source: z.string().nullable(),
  since: IsoDateTimeSchema.nullable(),
  createdAt: IsoDateTimeSchema,
});
export type Relationship = z.infer<typeof RelationshipSchema>;

export const RelationshipListQuerySchema = z.strictObject({
  kind: RelationshipKindSchema.optional(),
  direction: z.enum(['out', 'in', 'both']).default('both'),
});
export const RelationshipListSchema = z.object({ relationships: z.array(RelationshipSchema) });

export const SimilarQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
export const SimilarCompaniesSchema = z.object({
  companies: z.array(z.object({ company: CompanySchema, similarity: z.number() })),
});

/** The tenant's ecosystem graph around a company, for the AI service. */
export const GraphQuerySchema = z.strictObject({
  companyId: z.uuid().optional(),
  depth: z.coerce.number().int().min(1).max(6).default(3),
  maxNodes: z.coerce.number().int().min(1).max(50_000).default(20_000),
});
export const GraphSchema = z.object({
  nodes: z.array(CompanySchema),
  edges: z.array(RelationshipSchema),
  /** Changes whenever a company or relationship of the tenant changes; part of AI cache keys. */
  version: z.string(),
});
export type Graph = z.infer<typeof GraphSchema>;

/**
 * The version of a tenant's documents: it changes whenever one of them is added, changed, indexed or
 * deleted. Caches of results computed from the documents (AI analyses) key on it, so a hit needs no
 * search to know it is still current.
 */
export const DataVersionSchema = z.object({ documents: z.string() });
export type DataVersion = z.infer<typeof DataVersionSchema>;

export const searchRoutes = {
  ingestDocument: defineRoute({
    method: 'POST',
    path: '/v1/documents',
    summary: 'Ingest one document; it is embedded in the background',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'documents:write' },
    body: DocumentInputSchema,
    response: { 202: DocumentAcceptedSchema },
  }),
  ingestBulk: defineRoute({
    method: 'POST',
    path: '/v1/documents/bulk',
    summary: 'Ingest up to 1000 documents in one call',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'documents:write' },
    body: BulkDocumentsSchema,
    response: { 202: BulkAcceptedSchema },
  }),
  getDocument: defineRoute({
    method: 'GET',
    path: '/v1/documents/:id',
    summary: 'A document with its indexing status and chunk count',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'documents:read' },
    params: IdParamsSchema,
    response: { 200: DocumentSchema },
  }),
  deleteDocument: defineRoute({
    method: 'DELETE',
    path: '/v1/documents/:id',
    summary: 'Delete a document, its chunks and embeddings',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'documents:write' },
    params: IdParamsSchema,
    response: { 204: z.undefined() },
  }),
  dataVersion: defineRoute({
    method: 'GET',
    path: '/internal/data-version',
    summary: 'The version of the tenant’s documents, for result caches',
    auth: 'internal',
    response: { 200: DataVersionSchema },
  }),
  search: defineRoute({
    method: 'POST',
    path: '/v1/search',
    summary: 'Hybrid, semantic or keyword search over the tenant’s documents',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'search:read' },
    body: SearchRequestSchema,
    response: { 200: SearchResponseSchema },
  }),
  createCompany: defineRoute({
    method: 'POST',
    path: '/v1/companies',
    summary: 'Create or update (by externalId) a company of the tenant’s ecosystem',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'companies:write' },
    body: CompanyInputSchema,
    response: { 201: CompanySchema },
  }),
  getCompany: defineRoute({
    method: 'GET',
    path: '/v1/companies/:id',
    summary: 'One company',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'companies:read' },
    params: IdParamsSchema,
    response: { 200: CompanySchema },
  }),
  listCompanies: defineRoute({
    method: 'GET',
    path: '/v1/companies',
    summary: 'Companies of the tenant, optionally matching a name query',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'companies:read' },
    querystring: CompanyListQuerySchema,
    response: { 200: CompanyListSchema },
  }),
  createRelationship: defineRoute({
    method: 'POST',
    path: '/v1/relationships',
    summary: 'A typed, weighted edge between two companies',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'companies:write' },
    body: RelationshipInputSchema,
    response: { 201: RelationshipSchema },
  }),
  listRelationships: defineRoute({
    method: 'GET',
    path: '/v1/companies/:id/relationships',
    summary: 'Relationships of a company, both directions, filterable by kind',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'companies:read' },
    params: IdParamsSchema,
    querystring: RelationshipListQuerySchema,
    response: { 200: RelationshipListSchema },
  }),
  similarCompanies: defineRoute({
    method: 'GET',
    path: '/v1/companies/:id/similar',
    summary: 'Nearest companies by profile embedding',
    auth: 'session-or-machine',
    access: { role: 'member', scope: 'companies:read' },
    params: IdParamsSchema,
    querystring: SimilarQuerySchema,
    response: { 200: SimilarCompaniesSchema },
  }),
  graph: defineRoute({
    method: 'GET',
    path: '/internal/graph',
    summary: 'The tenant’s ecosystem graph, bounded by depth from a company',
    auth: 'internal',
    querystring: GraphQuerySchema,
    response: { 200: GraphSchema },
  }),
} as const;
