import { createLogger, createMetrics, createQueue, QUEUES } from '@mna/shared';
import { createDb, createRedis, runMigrations } from '@mna/shared/kit';
import { describeServiceFoundation, uniquePrefix } from '@mna/testing';
import { buildApp } from '../src/app.js';
import { configSpec } from '../src/config.js';
import { migrations, SCHEMA } from '../src/db/migrations/index.js';
import type { SearchDatabase } from '../src/db/schema.js';
import { createLocalEmbedder } from '../src/modules/embeddings/local-embedder.js';
import { testConfig } from './harness.js';

describeServiceFoundation({
  service: configSpec.service,
  schema: SCHEMA,
  migrations,
  migrate: (settings) => runMigrations({ ...settings, schema: SCHEMA, migrations }),
  build: async ({ databaseUrl, redisUrl }) => {
    const db = createDb<SearchDatabase>({ connectionString: databaseUrl, max: 2 });
    const redis = createRedis(redisUrl);
    const config = testConfig({ REDIS_PREFIX: uniquePrefix('search-foundation') });
    const embedQueue = createQueue(QUEUES.searchEmbed, { connection: redis, prefix: config.REDIS_PREFIX });
    const app = await buildApp({
      config,
      embedQueue,
      embedder: createLocalEmbedder(),
      logger: createLogger({ service: configSpec.service, level: 'silent' }),
      metrics: createMetrics(configSpec.service),
      db,
      redis,
    });
    return {
      app,
      close: async () => {
        await app.close();
        await embedQueue.close();
        redis.disconnect();
        await db.destroy();
      },
    };
  },
});
