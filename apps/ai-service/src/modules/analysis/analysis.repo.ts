import type { DealAnalysis, PrincipalInput } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { AiDatabase } from '../../db/schema.js';
import { recordAudit } from '../audit/audit.repo.js';
import type { Deal } from './deal-metrics.js';

export type AnalysisRecord = {
  /** A new id per analysis request (the job id for an asynchronous one). */
  analysisId: string;
  deal: Deal;
  analysis: DealAnalysis;
};

/**
 * Records one finished deal analysis as the principal's tenant: the audit row (action `deal.analyze`,
 * target the analysis id) and the `deal.analyzed` outbox event, committed together in one round trip.
 */
export async function recordAnalysis(
  db: Kysely<AiDatabase>,
  principal: PrincipalInput,
  record: AnalysisRecord,
): Promise<void> {
  const { analysis } = record;
  // One resource per deal target, so a newer analysis of the same deal carries a higher sequence.
  await recordAudit(
    db,
    principal,
    {
      action: 'deal.analyze',
      target: record.analysisId,
      details: {
        dealTarget: record.deal.target,
        recommendation: analysis.recommendation,
        confidence: analysis.confidence,
        provider: analysis.provider,
        model: analysis.model,
        promptVersion: analysis.promptVersion,
        cached: analysis.cached,
      },
    },
    {
      type: 'deal.analyzed',
      resourceId: `deal:${record.deal.target.trim().toLowerCase()}`,
      data: {
        analysisId: record.analysisId,
        target: record.deal.target,
        recommendation: analysis.recommendation,
        confidence: analysis.confidence,
        provider: analysis.provider,
      },
    },
  );
}
