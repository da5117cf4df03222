import type { Metrics } from '@mna/shared';
import { createServiceApp, pingDb, pingRedis, type Redis } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AiConfig } from './config.js';
import type { AiDatabase } from './db/schema.js';

export type AiDeps = {
  config: Pick<AiConfig, 'INTERNAL_TOKEN_SECRET'>;
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
  return app;
}
