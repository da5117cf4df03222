import type { Metrics } from '@mna/shared';
import { createServiceApp, pingDb, pingRedis, type Redis } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SearchConfig } from './config.js';
import type { SearchDatabase } from './db/schema.js';

export type SearchDeps = {
  config: Pick<SearchConfig, 'INTERNAL_TOKEN_SECRET'>;
  logger: Logger;
  metrics: Metrics;
  db: Kysely<SearchDatabase>;
  redis: Redis;
};

/** The search-service's HTTP app; never listens, never reads the environment. */
export async function buildApp(deps: SearchDeps) {
  const app = await createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    internalTokenSecret: deps.config.INTERNAL_TOKEN_SECRET,
    readiness: { postgres: () => pingDb(deps.db), redis: () => pingRedis(deps.redis) },
  });
  return app;
}
