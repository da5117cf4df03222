import { createLogger, createMetrics } from '@mna/shared';
import { createDb, createRedis, runMigrations } from '@mna/shared/kit';
import { describeServiceFoundation, uniquePrefix } from '@mna/testing';
import { buildApp } from '../src/app.js';
import { configSpec } from '../src/config.js';
import { migrations, SCHEMA } from '../src/db/migrations/index.js';
import type { AiDatabase } from '../src/db/schema.js';
import { createAiQueues } from '../src/queues.js';
import { testConfig } from './harness.js';

describeServiceFoundation({
  service: configSpec.service,
  schema: SCHEMA,
  migrations,
  migrate: (settings) => runMigrations({ ...settings, schema: SCHEMA, migrations }),
  build: async ({ databaseUrl, redisUrl }) => {
    const db = createDb<AiDatabase>({ connectionString: databaseUrl, max: 2 });
    const redis = createRedis(redisUrl);
    const queues = createAiQueues(redis, uniquePrefix('ai-foundation'));
    const app = await buildApp({
      config: testConfig(),
      ...queues,
      logger: createLogger({ service: configSpec.service, level: 'silent' }),
      metrics: createMetrics(configSpec.service),
      db,
      redis,
    });
    return {
      app,
      close: async () => {
        await app.close();
        await queues.dealQueue.close();
        await queues.graphQueue.close();
        redis.disconnect();
        await db.destroy();
      },
    };
  },
});
