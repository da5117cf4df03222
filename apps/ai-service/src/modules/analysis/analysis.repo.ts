import type { DealAnalysis, PrincipalInput } from '@mna/shared';
import { recordEvent } from '@mna/shared/kit';
import type { Transaction } from 'kysely';
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
 * Records one finished deal analysis inside the caller's tenant-bound transaction: the audit row
 * (action `deal.analyze`, target the analysis id). Whatever else must commit with that record (the
 * `deal.analyzed` outbox event) belongs in this function, in the same transaction.
 */
export async function recordAnalysis(
  trx: Transaction<AiDatabase>,
  principal: PrincipalInput,
  record: AnalysisRecord,
): Promise<void> {
  const { analysis } = record;
  await recordAudit(trx, principal, {
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
  });
  // One resource per deal target, so a newer analysis of the same deal carries a higher sequence.
  await recordEvent(trx, {
    schema: 'ai',
    tenantId: principal.tenantId,
    type: 'deal.analyzed',
    resourceId: `deal:${record.deal.target.trim().toLowerCase()}`,
    data: {
      analysisId: record.analysisId,
      target: record.deal.target,
      recommendation: analysis.recommendation,
      confidence: analysis.confidence,
      provider: analysis.provider,
    },
  });
}
