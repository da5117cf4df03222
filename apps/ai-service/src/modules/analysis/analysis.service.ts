import { randomUUID } from 'node:crypto';
import { type DealAnalysis, DealAnalysisSchema, type PrincipalInput, UpstreamError } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { AiDatabase } from '../../db/schema.js';
import type { ResultCache } from '../cache/result-cache.js';
import type { SearchClient } from '../ecosystem/search-client.js';
import { recordAnalysis } from './analysis.repo.js';
import type { ClaudeAnalyst } from './claude-analyst.js';
import { computeDealMetrics, type Deal } from './deal-metrics.js';
import { gatherEvidence } from './evidence.js';
import { analyseLocally } from './local-analyst.js';
import { checkQuotes } from './quote-check.js';

/** Model id and version reported by the embedded analyst (no vendor key configured). */
export const LOCAL_MODEL = 'mna-local-analyst';
export const LOCAL_ANALYST_VERSION = 'local-analyst/2026-12-07.1';

export type AnalysisDeps = {
  db: Kysely<AiDatabase>;
  search: SearchClient;
  cache: ResultCache;
  /** Claude, or null for the local analyst. */
  claude: ClaudeAnalyst | null;
  model: string;
  promptVersion: string;
};

/** Deal analysis: evidence from search-service, then Claude or the local analyst, cached per documents' version. */
export function createAnalysisService(deps: AnalysisDeps) {
  const provider = deps.claude ? 'anthropic' : 'local';
  const model = deps.claude ? deps.model : LOCAL_MODEL;
  const promptVersion = deps.claude ? deps.promptVersion : LOCAL_ANALYST_VERSION;

  /** One analysis, recorded (audit row) before it is answered; `analysisId` is the job id when queued. */
  async function analyze(
    principal: PrincipalInput,
    deal: Deal,
    analysisId: string = randomUUID(),
  ): Promise<DealAnalysis> {
    // The documents' version keys the cache, so a hit is one cheap read of search-service; the
    // evidence itself (a search, the named documents) is gathered only when the analysis is computed.
    const { documents: dataVersion } = await deps.search.dataVersion(principal);
    const { value, cached } = await deps.cache.getOrCompute(
      {
        tenantId: principal.tenantId,
        operation: 'deal_analysis',
        model,
        promptVersion,
        input: deal,
        dataVersion,
      },
      DealAnalysisSchema,
      async () => {
        const evidence = await gatherEvidence(deps.search, principal, deal);
        const metrics = computeDealMetrics(deal);
        const assessment = deps.claude
          ? await deps.claude(deal, metrics, evidence)
          : analyseLocally(deal, metrics, evidence);
        // Every quote must occur in the chunk it cites; one that does not never leaves the service.
        const { verified } = checkQuotes(assessment.quotes, evidence.passages);
        const checked = DealAnalysisSchema.safeParse({
          ...assessment,
          quotes: verified,
          valuation: metrics.valuation,
          provider,
          model,
          promptVersion,
          cached: false,
        });
        if (!checked.success)
          throw new UpstreamError('The analysis did not match its contract.', checked.error);
        return checked.data;
      },
    );
    const analysis = { ...value, cached };
    await recordAnalysis(deps.db, principal, { analysisId, deal, analysis });
    return analysis;
  }

  return { analyze, provider, model, promptVersion };
}

export type AnalysisService = ReturnType<typeof createAnalysisService>;
