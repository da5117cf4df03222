import { PartnerResultsSchema, type PartnerSearchSchema, type Principal } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { PartnerWeights } from '../../config.js';
import type { AiDatabase } from '../../db/schema.js';
import { LOCAL_MODEL } from '../analysis/analysis.service.js';
import { recordAudit } from '../audit/audit.repo.js';
import { canonicalJson, sha256 } from '../cache/canonical.js';
import type { ResultCache } from '../cache/result-cache.js';
import type { EcosystemGraph } from './graph.js';
import { nodeOf } from './graph.js';
import type { GraphLoader } from './graph-loader.js';
import { ACQUISITION_MODEL } from './partners.acquisition-model.js';
import { explainCandidates, scoreCandidates } from './partners.candidates.js';
import type { LogisticModel } from './partners.model.js';
import { RATIONALE_PROMPT_VERSION, type RationaleWriter } from './partners.rationale.js';
import type { Goal } from './partners.scoring.js';
import type { SearchClient } from './search-client.js';

type PartnerResults = z.output<typeof PartnerResultsSchema>;

export const PARTNERS_VERSION = 'partners/2026-12-07.1';
const SIMILAR_LIMIT = 100;
/**
 * Acquirers buy what resembles what they bought: for an acquisition the candidates also include the
 * companies most similar to this many of its ties (the strongest), not only those similar to itself.
 */
const TIE_SEEDS = 10;
/**
 * An acquirer is matched against the whole tenant (up to this many companies, read in one call), so
 * a target unlike the acquirer's own profile and its ties' nearest neighbours is still scored.
 */
const TENANT_POOL_MAX = 5_000;
/** Goals scored by a model fitted on real outcomes (bench/partners); the others by PARTNER_WEIGHTS. */
export const FITTED_MODELS: Partial<Record<Goal, LogisticModel>> = { acquisition: ACQUISITION_MODEL };
const MAX_EXPLAINED = 50;
/** Hops read around the company: beyond two, 1/distance adds little and the neighbourhood explodes. */
const DEPTH = 2;

/** The company's strongest ties (ids), at most `limit`. */
function strongestTies(graph: EcosystemGraph, companyId: string, limit: number): string[] {
  if (!graph.hasNode(companyId)) return [];
  const strength = (n: string) => graph.getEdgeAttribute(graph.edge(companyId, n)!, 'strength');
  return graph
    .neighbors(companyId)
    .sort((a, b) => strength(b) - strength(a) || (a < b ? -1 : 1))
    .slice(0, limit);
}

export type PartnersDeps = {
  db: Kysely<AiDatabase>;
  search: SearchClient;
  loadGraph: GraphLoader;
  cache: ResultCache;
  weights: PartnerWeights;
  /** Claude writes the rationales when configured; null keeps the deterministic local ones. */
  rationales: { write: RationaleWriter; model: string } | null;
};

export function createPartnersService(deps: PartnersDeps) {
  const rationaleBy = deps.rationales
    ? {
        provider: 'anthropic' as const,
        model: deps.rationales.model,
        promptVersion: RATIONALE_PROMPT_VERSION,
      }
    : { provider: 'local' as const, model: LOCAL_MODEL, promptVersion: PARTNERS_VERSION };
  async function findPartners(
    principal: Principal,
    request: z.output<typeof PartnerSearchSchema>,
  ): Promise<PartnerResults> {
    const [company, similar, loaded] = await Promise.all([
      deps.search.getCompany(principal, request.companyId),
      deps.search.similarCompanies(principal, request.companyId, SIMILAR_LIMIT),
      deps.loadGraph(principal, request.companyId, DEPTH),
    ]);
    const weights = deps.weights[request.goal];
    const model = FITTED_MODELS[request.goal] ?? null;
    const similarity = new Map(similar.companies.map((s) => [s.company.id, s.similarity]));
    const acquisition = request.goal === 'acquisition';
    const seeds = acquisition ? strongestTies(loaded.graph, request.companyId, TIE_SEEDS) : [];
    const [tenant, ...alike] = await Promise.all([
      acquisition ? deps.search.graph(principal, { maxNodes: TENANT_POOL_MAX }) : null,
      ...seeds.map((id) => deps.search.similarCompanies(principal, id, SIMILAR_LIMIT)),
    ]);
    const { value, cached } = await deps.cache.getOrCompute(
      {
        tenantId: principal.tenantId,
        operation: 'partners',
        model: rationaleBy.model,
        promptVersion: `${PARTNERS_VERSION}+${rationaleBy.promptVersion}`,
        input: { ...request, weights: model ?? weights },
        dataVersion: `${loaded.dataVersion}:${sha256(canonicalJson([company.updatedAt, [...similarity]]))}`,
      },
      PartnerResultsSchema,
      async () => {
        const extra = new Map(
          [
            ...(tenant?.nodes ?? []),
            ...alike.flatMap((a) => a!.companies.map((s) => s.company)),
            ...similar.companies.map((s) => s.company),
          ].map((c) => [c.id, nodeOf(c)]),
        );
        const self = nodeOf(company);
        const ranked = scoreCandidates({
          companyId: request.companyId,
          company: self,
          goal: request.goal,
          weights,
          model,
          graph: loaded.graph,
          pagerank: loaded.metrics.pagerank,
          similarity,
          extra,
        }).slice(0, request.limit);
        // The route allows 50; an in-process caller (bench/partners) may rank all, explained or not.
        explainCandidates(loaded.graph, request.companyId, request.goal, ranked.slice(0, MAX_EXPLAINED));
        const candidates = ranked;
        if (deps.rationales) {
          const profiles = new Map(
            candidates.map((c) => [
              c.companyId,
              loaded.graph.hasNode(c.companyId)
                ? loaded.graph.getNodeAttributes(c.companyId)
                : extra.get(c.companyId)!,
            ]),
          );
          const written = await deps.rationales.write({
            goal: request.goal,
            company: self,
            candidates,
            profiles,
          });
          for (const c of candidates) c.rationale = written.get(c.companyId)!;
        }
        return { companyId: request.companyId, goal: request.goal, candidates, rationaleBy, cached: false };
      },
    );
    await recordAudit(deps.db, principal, {
      action: 'partners.find',
      target: request.companyId,
      details: { goal: request.goal, limit: request.limit, candidates: value.candidates.length, cached },
    });
    return { ...value, cached };
  }
  return { findPartners };
}

export type PartnersService = ReturnType<typeof createPartnersService>;
