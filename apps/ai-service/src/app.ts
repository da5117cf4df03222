import type { Metrics } from '@mna/shared';
import {
  createServiceApp,
  pingDb,
  pingRedis,
  type Redis,
  registerDependencyMetrics,
  registerQueueMetrics,
} from '@mna/shared/kit';
import type { Logger } from 'pino';
import { analysisRoutes } from './modules/analysis/analysis.routes.js';
import { ecosystemRoutes } from './modules/ecosystem/ecosystem.routes.js';
import { mcpRoutes } from './modules/mcp/mcp.routes.js';
import { createAiServices, type ServicesDeps } from './services.js';

export type AiDeps = ServicesDeps & {
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
};

/** The ai-service's HTTP app; never listens, never reads the environment. */
export async function buildApp(deps: AiDeps) {
  const readiness = { postgres: () => pingDb(deps.db), redis: () => pingRedis(deps.redis) };
  const app = await createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    internalTokenSecret: deps.config.INTERNAL_TOKEN_SECRET,
    readiness,
  });
  registerDependencyMetrics(deps.metrics.registry, readiness);
  registerQueueMetrics(deps.metrics.registry, [
    deps.dealQueue,
    ...(deps.graphQueue ? [deps.graphQueue] : []),
  ]);
  const services = createAiServices(deps);
  analysisRoutes(app, services);
  ecosystemRoutes(app, services);
  mcpRoutes(app, services);
  app.addHook('onClose', async () => {
    await services.search.close();
  });
  return app;
}
