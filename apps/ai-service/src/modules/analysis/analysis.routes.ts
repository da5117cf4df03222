import { aiRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { AnalysisJobs } from './analysis.jobs.js';
import type { AnalysisService } from './analysis.service.js';

export function analysisRoutes(app: ServiceApp, deps: { analysis: AnalysisService; jobs: AnalysisJobs }) {
  mountRoute(app, aiRoutes.analyzeDeal, async ({ body, query, principal }, reply) => {
    if (query.async) {
      const accepted = { jobId: await deps.jobs.enqueue(principal, body), status: 'queued' as const };
      // mountRoute types the 200 body; the 202 body is checked by the contract's 202 schema.
      return reply.code(202).send(accepted);
    }
    return deps.analysis.analyze(principal, body);
  });
  mountRoute(app, aiRoutes.getJob, async ({ params, principal }) => deps.jobs.get(principal, params.id));
}
