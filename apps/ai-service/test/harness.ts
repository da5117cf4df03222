import { createLogger, createMetrics } from '@mna/shared';
import { createDb, createRedis } from '@mna/shared/kit';
import {
  createTestDatabase,
  deleteKeysWithPrefix,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import { inject } from 'vitest';
import { buildApp } from '../src/app.js';
import { configSpec } from '../src/config.js';
import type { AiDatabase } from '../src/db/schema.js';
import { createAiQueues } from '../src/queues.js';

/** The service's config as loadConfig would build it for tests, with overrides. */
export function testConfig(env: Record<string, string | undefined> = {}) {
  return configSpec.schema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    REDIS_URL: TEST_REDIS_URL,
    ...env,
  });
}

export type HarnessOptions = {
  searchUrl: string;
  env?: Record<string, string | undefined>;
  promptVersion?: string;
};

/**
 * The ai-service app on its own database, Redis prefix and queues, talking to a search stand-in
 * (and a fake Anthropic when ANTHROPIC_BASE_URL is given). Returns the app and a closer.
 */
export async function startAi(options: HarnessOptions) {
  const prefix = uniquePrefix('ai');
  const database = await createTestDatabase(inject('templateDatabase'));
  const config = testConfig({ SEARCH_SERVICE_URL: options.searchUrl, REDIS_PREFIX: prefix, ...options.env });
  const db = createDb<AiDatabase>({ connectionString: database.appUrl, max: 2 });
  const redis = createRedis(TEST_REDIS_URL);
  const queues = createAiQueues(redis, prefix);
  const metrics = createMetrics(configSpec.service);
  const logger = createLogger({ service: configSpec.service, level: 'silent' });
  const app = await buildApp({
    config,
    logger,
    metrics,
    db,
    redis,
    ...queues,
    ...(options.promptVersion ? { promptVersion: options.promptVersion } : {}),
  });
  return {
    app,
    config,
    db,
    redis,
    queues,
    prefix,
    metrics,
    logger,
    close: async () => {
      await app.close();
      await queues.dealQueue.close();
      await queues.graphQueue.close();
      await deleteKeysWithPrefix(prefix);
      redis.disconnect();
      await db.destroy();
      await database.drop();
    },
  };
}

export type AiHarness = Awaited<ReturnType<typeof startAi>>;
