import {
  CompanySchema,
  DealAnalysisSchema,
  DealInputSchema,
  DocumentSchema,
  InfluenceMapSchema,
  PartnerResultsSchema,
  PartnerSearchSchema,
  type Principal,
  SearchRequestSchema,
  SearchResponseSchema,
  SimilarCompaniesSchema,
} from '@mna/shared';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AiServices } from '../../services.js';
import { assertMcpAllowed, mcpRefusal, toolError, toolResult } from './mcp.errors.js';
import { registerPrompts } from './mcp.prompts.js';

/** Every tool reads only; none changes the tenant's data. Analyses call Claude (open world). */
const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
const MODEL: ToolAnnotations = { ...READ, openWorldHint: true };

const IdInput = z.object({ id: z.uuid().describe('The id (UUID) of the object') });

type McpDeps = Pick<AiServices, 'search' | 'analysis' | 'partners' | 'influence'>;

/** A tool handler that answers failures (plan without MCP included) as tool errors. */
const guardedFor =
  (principal: Principal) =>
  <A>(run: (args: A) => Promise<Record<string, unknown>>) =>
  async (args: A) => {
    try {
      const refusal = mcpRefusal(principal);
      if (refusal) throw refusal;
      return toolResult(await run(args));
    } catch (error) {
      return toolError(error);
    }
  };

/**
 * The MCP server for one request, bound to its caller: stateless, so any replica answers any call,
 * and every read goes through the same services (and tenancy) as the REST API.
 */
export function createMcpServer(principal: Principal, deps: McpDeps): McpServer {
  const guarded = guardedFor(principal);
  const server = new McpServer(
    { name: 'mna-ai', title: 'M&A intelligence platform', version: '1.0.0' },
    {
      instructions:
        "Tools over the tenant's M&A documents and company ecosystem: search, analyse deals, find partners, map influence.",
    },
  );
  server.registerTool(
    'search_documents',
    {
      title: 'Search documents',
      description:
        "Hybrid (semantic + keyword) search over the tenant's deal memos, CIMs, news and company profiles. Use filters (kind, industry, region, tags, companyId, dealSizeUsd, dates) to narrow; returns ranked snippets with document ids to cite.",
      inputSchema: SearchRequestSchema,
      outputSchema: SearchResponseSchema,
      annotations: READ,
    },
    guarded(async (args) => deps.search.search(principal, args)),
  );
  server.registerTool(
    'get_document',
    {
      title: 'Get document',
      description: 'Metadata and indexing status of one document by id (as returned by search_documents).',
      inputSchema: IdInput,
      outputSchema: DocumentSchema,
      annotations: READ,
    },
    guarded(async ({ id }) => deps.search.getDocument(principal, id)),
  );
  server.registerTool(
    'get_company',
    {
      title: 'Get company',
      description:
        "One company of the tenant's ecosystem by id: industry, region, size (employees, revenue) and tags.",
      inputSchema: IdInput,
      outputSchema: CompanySchema,
      annotations: READ,
    },
    guarded(async ({ id }) => deps.search.getCompany(principal, id)),
  );
  server.registerTool(
    'find_similar_companies',
    {
      title: 'Find similar companies',
      description:
        'Companies nearest to a company by profile embedding, with a similarity score; use for comparables.',
      inputSchema: z.object({
        id: z.uuid().describe('Company id'),
        limit: z.number().int().min(1).max(100).default(10),
      }),
      outputSchema: SimilarCompaniesSchema,
      annotations: READ,
    },
    guarded(async ({ id, limit }) => deps.search.similarCompanies(principal, id, limit)),
  );
  server.registerTool(
    'analyze_deal',
    {
      title: 'Analyse a deal',
      description:
        'Recommendation (proceed, proceed_with_conditions, pass) with confidence, EV/EBITDA and EV/Revenue against sector benchmarks, risks with mitigations, strengths, a due-diligence checklist and cited document ids. Give as many financials as known; missing ones lower confidence.',
      inputSchema: DealInputSchema,
      outputSchema: DealAnalysisSchema,
      annotations: MODEL,
    },
    guarded(async (args) => deps.analysis.analyze(principal, DealInputSchema.parse(args))),
  );
  server.registerTool(
    'find_partners',
    {
      title: 'Find partners',
      description:
        'Rank acquisition, partnership or investment candidates for a company by a 0–1 compatibility score with per-factor breakdown (strategic fit, sector complementarity, size, geography, network proximity, influence) and a rationale.',
      inputSchema: PartnerSearchSchema,
      outputSchema: PartnerResultsSchema,
      annotations: READ,
    },
    guarded(async (args) => deps.partners.findPartners(principal, PartnerSearchSchema.parse(args))),
  );
  server.registerTool(
    'influence_map',
    {
      title: 'Influence map',
      description:
        'Influence around a company: PageRank and betweenness of its neighbourhood, communities, key brokers, and the strongest warm-introduction paths to a target company given as `to`.',
      inputSchema: z.object({
        companyId: z.uuid().describe('Company at the centre of the map'),
        depth: z.number().int().min(1).max(6).default(3).describe('Hops around the company'),
        to: z.uuid().optional().describe('Company to find warm-introduction paths to'),
      }),
      outputSchema: InfluenceMapSchema,
      annotations: READ,
    },
    guarded(async ({ companyId, depth, to }) =>
      deps.influence.influence(principal, companyId, { depth, to }),
    ),
  );
  const jsonResource = (
    name: string,
    title: string,
    description: string,
    read: (id: string) => Promise<unknown>,
  ) =>
    server.registerResource(
      name,
      new ResourceTemplate(`${name}://{id}`, { list: undefined }),
      { title, description, mimeType: 'application/json' },
      async (uri, { id }) => {
        assertMcpAllowed(principal);
        return {
          contents: [
            { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(await read(String(id))) },
          ],
        };
      },
    );
  jsonResource('company', 'Company', "A company of the tenant's ecosystem, as JSON", (id) =>
    deps.search.getCompany(principal, id),
  );
  jsonResource('document', 'Document', 'A document of the tenant (metadata and status), as JSON', (id) =>
    deps.search.getDocument(principal, id),
  );
  registerPrompts(server, () => assertMcpAllowed(principal));
  return server;
}
