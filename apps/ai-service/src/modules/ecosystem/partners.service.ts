import { PartnerResultsSchema, type PartnerSearchSchema, type Principal } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { FactorWeights, PartnerWeights } from '../../config.js';
import type { AiDatabase } from '../../db/schema.js';
import { LOCAL_MODEL } from '../analysis/analysis.service.js';
import { recordAudit } from '../audit/audit.repo.js';
import { canonicalJson, sha256 } from '../cache/canonical.js';
import type { ResultCache } from '../cache/result-cache.js';
import type { CompanyNode, EcosystemGraph } from './graph.js';
import { distancesFrom, nodeOf } from './graph.js';
import type { GraphLoader } from './graph-loader.js';
import { RATIONALE_PROMPT_VERSION, type RationaleWriter } from './partners.rationale.js';
import {
  type Factors,
  type Goal,
  geographicFit,
  networkProximity,
  rationaleOf,
  roleEligible,
  sectorComplementarity,
  sizeFit,
  weightedScore,
} from './partners.scoring.js';
import type { SearchClient } from './search-client.js';

type PartnerResults = z.output<typeof PartnerResultsSchema>;
type Candidate = PartnerResults['candidates'][number];

export const PARTNERS_VERSION = 'partners/2026-11-30.2';
const SIMILAR_LIMIT = 100;
/** Hops read around the company: beyond two, 1/distance adds little and the neighbourhood explodes. */
const DEPTH = 2;

/** Jaccard of two neighbour sets, each without the other company. */
function neighbourJaccard(graph: EcosystemGraph, own: Set<string>, a: string, b: string): number {
  if (!graph.hasNode(b)) return 0;
  let shared = 0;
  let other = 0;
  graph.forEachNeighbor(b, (n) => {
    if (n === a) return;
    other++;
    if (own.has(n)) shared++;
  });
  const union = own.size - (own.has(b) ? 1 : 0) + other - shared;
  return union === 0 ? 0 : shared / union;
}

// Object.values over a 20k-key PageRank map costs tens of milliseconds; metrics objects are shared
// (memoised by the store), so their maximum is computed once per object.
const maxima = new WeakMap<Record<string, number>, number>();
function maxOf(values: Record<string, number>): number {
  let max = maxima.get(values);
  if (max === undefined) {
    max = 0;
    for (const value of Object.values(values)) if (value > max) max = value;
    maxima.set(values, max);
  }
  return max;
}

export type ScoringInput = {
  companyId: string;
  company: CompanyNode;
  goal: Goal;
  weights: FactorWeights;
  graph: EcosystemGraph;
  pagerank: Record<string, number>;
  /** Profile-embedding similarity by company id, from search-service. */
  similarity: Map<string, number>;
  /** Companies known outside the graph (similar ones), by id. */
  extra: Map<string, CompanyNode>;
};

/** Every candidate scored and ranked; pure and reproducible given the same graph and similarities. */
export function scoreCandidates(input: ScoringInput): Candidate[] {
  const { graph, companyId } = input;
  const distances = graph.hasNode(companyId) ? distancesFrom(graph, companyId) : new Map<string, number>();
  const own = new Set(graph.hasNode(companyId) ? graph.neighbors(companyId) : []);
  const maxRank = maxOf(input.pagerank);
  const pool = new Map<string, CompanyNode>(input.extra);
  graph.forEachNode((id, attributes) => pool.set(id, attributes));
  pool.delete(companyId);
  const candidates: Candidate[] = [];
  for (const [id, node] of pool) {
    const factors: Factors = {
      strategicFit: Math.round(Math.max(0, Math.min(1, input.similarity.get(id) ?? 0)) * 10_000) / 10_000,
      sectorComplementarity: sectorComplementarity(input.goal, input.company, node),
      sizeFit: sizeFit(input.goal, input.company, node),
      geographicFit: geographicFit(input.company, node),
      networkProximity: networkProximity(distances.get(id), neighbourJaccard(graph, own, companyId, id)),
      influence: maxRank > 0 ? Math.round(((input.pagerank[id] ?? 0) / maxRank) * 10_000) / 10_000 : 0,
    };
    const eligible = roleEligible(input.goal, input.company, node);
    candidates.push({
      companyId: id,
      name: node.name,
      score: eligible * weightedScore(input.goal, factors, input.weights),
      factors,
      rationale: eligible
        ? rationaleOf(input.goal, node.name, factors, input.weights)
        : `${node.name}: a fund or bank is not an operating ${input.goal} counterpart here (score 0).`,
    });
  }
  return candidates.sort((a, b) => b.score - a.score || (a.companyId < b.companyId ? -1 : 1));
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
    const similarity = new Map(similar.companies.map((s) => [s.company.id, s.similarity]));
    const { value, cached } = await deps.cache.getOrCompute(
      {
        tenantId: principal.tenantId,
        operation: 'partners',
        model: rationaleBy.model,
        promptVersion: `${PARTNERS_VERSION}+${rationaleBy.promptVersion}`,
        input: { ...request, weights },
        dataVersion: `${loaded.dataVersion}:${sha256(canonicalJson([company.updatedAt, [...similarity]]))}`,
      },
      PartnerResultsSchema,
      async () => {
        const extra = new Map(similar.companies.map((s) => [s.company.id, nodeOf(s.company)]));
        const self = nodeOf(company);
        const candidates = scoreCandidates({
          companyId: request.companyId,
          company: self,
          goal: request.goal,
          weights,
          graph: loaded.graph,
          pagerank: loaded.metrics.pagerank,
          similarity,
          extra,
        }).slice(0, request.limit);
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
