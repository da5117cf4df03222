import { createLogger, createMetrics } from '@mna/shared';
import { createDb, createRedis, runMigrations } from '@mna/shared/kit';
import {
  createMigratedDatabase,
  deleteKeysWithPrefix,
  TEST_INTERNAL_SECRET,
  uniquePrefix,
} from '@mna/testing';
import { buildApp } from '../../apps/ai-service/src/app.js';
import { configSpec } from '../../apps/ai-service/src/config.js';
import { migrations, SCHEMA } from '../../apps/ai-service/src/db/migrations/index.js';
import type { AiDatabase } from '../../apps/ai-service/src/db/schema.js';
import { createAiQueues } from '../../apps/ai-service/src/queues.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A throwaway database with the ai schema migrated (audit rows, outbox), dropped by `drop`. */
export async function migratedAiDatabase() {
  return createMigratedDatabase((settings) => runMigrations({ ...settings, schema: SCHEMA, migrations }));
}

/**
 * The ai-service app in this process on its own Redis prefix and database, reading search from
 * `searchUrl`; `env` adds settings (ANTHROPIC_BASE_URL of a fake, for one).
 */
export async function startInProcessAi(label: string, searchUrl: string, env: Record<string, string> = {}) {
  const prefix = uniquePrefix(label);
  const database = await migratedAiDatabase();
  const config = configSpec.schema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SEARCH_SERVICE_URL: searchUrl,
    DATABASE_URL: database.appUrl,
    ...env,
  });
  const redis = createRedis(REDIS_URL);
  const db = createDb<AiDatabase>({ connectionString: config.DATABASE_URL, max: 2 });
  const queues = createAiQueues(redis, prefix);
  const metrics = createMetrics('ai-service');
  const logger = createLogger({ service: 'ai-service', level: 'silent' });
  const app = await buildApp({ config, logger, metrics, db, redis, ...queues });
  return {
    prefix,
    config,
    redis,
    db,
    queues,
    metrics,
    logger,
    app,
    close: async () => {
      await app.close();
      await queues.dealQueue.close();
      await queues.graphQueue.close();
      await deleteKeysWithPrefix(prefix, REDIS_URL);
      redis.disconnect();
      await db.destroy();
      await database.drop();
    },
  };
}
