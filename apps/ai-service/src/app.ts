import type { Metrics } from '@mna/shared';
import { createServiceApp, pingDb, pingRedis, type Redis } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AiDatabase } from './db/schema.js';
import { analysisRoutes } from './modules/analysis/analysis.routes.js';
import { ecosystemRoutes } from './modules/ecosystem/ecosystem.routes.js';
import { mcpRoutes } from './modules/mcp/mcp.routes.js';
import { createAiServices, type ServicesDeps } from './services.js';

export type AiDeps = ServicesDeps & {
  logger: Logger;
  metrics: Metrics;
  db: Kysely<AiDatabase>;
  redis: Redis;
};

/** The ai-service's HTTP app; never listens, never reads the environment. */
export async function buildApp(deps: AiDeps) {
  const app = await createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    internalTokenSecret: deps.config.INTERNAL_TOKEN_SECRET,
    readiness: { postgres: () => pingDb(deps.db), redis: () => pingRedis(deps.redis) },
  });
  const services = createAiServices(deps);
  analysisRoutes(app, services);
  ecosystemRoutes(app, services);
  mcpRoutes(app, services);
  app.addHook('onClose', async () => services.search.close());
  return app;
}
