import { randomUUID } from 'node:crypto';
import {
  type AiJobSchema,
  DealAnalysisSchema,
  DealInputSchema,
  jobPayload,
  NotFoundError,
  type Principal,
  QUEUES,
  type TypedQueue,
} from '@mna/shared';
import type { z } from 'zod';
import type { AnalysisService } from './analysis.service.js';
import type { Deal } from './deal-metrics.js';

type AiJob = z.output<typeof AiJobSchema>;
export type DealQueue = TypedQueue<typeof QUEUES.aiDealAnalysis>;

const STATES: Record<string, AiJob['status']> = {
  completed: 'completed',
  failed: 'failed',
  active: 'active',
};

/** Asynchronous analyses: enqueue with the caller's principal, read back only by the same tenant. */
export function createAnalysisJobs(deps: { queue: DealQueue }) {
  async function enqueue(principal: Principal, deal: Deal): Promise<string> {
    const jobId = randomUUID();
    await deps.queue.add(
      'analyze',
      jobPayload(QUEUES.aiDealAnalysis, {
        tenantId: principal.tenantId,
        userId: principal.userId,
        requestId: principal.requestId,
        plan: principal.plan,
        orgRole: principal.orgRole,
        input: deal,
      }),
      {
        jobId,
        attempts: 3,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 7 * 86_400 },
      },
    );
    return jobId;
  }

  async function get(principal: Principal, id: string): Promise<AiJob> {
    const job = await deps.queue.getJob(id);
    // Another tenant's job id answers exactly like an unknown one.
    if (!job || job.data.tenantId !== principal.tenantId) throw new NotFoundError('No such analysis job.');
    const state = await job.getState();
    const status = STATES[state] ?? 'queued';
    const result = status === 'completed' ? DealAnalysisSchema.safeParse(job.returnvalue) : null;
    return {
      jobId: id,
      status,
      result: result?.success ? result.data : null,
      error: status === 'failed' ? (job.failedReason ?? 'failed') : null,
    };
  }

  return { enqueue, get };
}

/** The worker's handler: the same analysis, run as the principal who asked for it, recorded under the job id. */
export function dealJobHandler(analysis: AnalysisService) {
  return async (data: z.output<typeof QUEUES.aiDealAnalysis.schema>, job: { id?: string | undefined }) => {
    const deal = DealInputSchema.parse(data.input);
    return analysis.analyze(
      {
        tenantId: data.tenantId,
        userId: data.userId,
        requestId: data.requestId,
        plan: data.plan,
        orgRole: data.orgRole,
      },
      deal,
      job.id,
    );
  };
}

export type AnalysisJobs = ReturnType<typeof createAnalysisJobs>;
