import { createLogger, createMetrics, createQueue, QUEUES } from '@mna/shared';
import { createDb, createRedis, runMigrations } from '@mna/shared/kit';
import { describeServiceFoundation, uniquePrefix } from '@mna/testing';
import { buildApp } from '../src/app.js';
import { configSpec } from '../src/config.js';
import { migrations, SCHEMA } from '../src/db/migrations/index.js';
import type { BillingDatabase } from '../src/db/schema.js';
import { testConfig } from './helpers.js';

describeServiceFoundation({
  service: configSpec.service,
  schema: SCHEMA,
  migrations,
  migrate: (settings) => runMigrations({ ...settings, schema: SCHEMA, migrations }),
  build: async ({ databaseUrl, redisUrl }) => {
    const db = createDb<BillingDatabase>({ connectionString: databaseUrl, max: 2 });
    const redis = createRedis(redisUrl);
    const eventsQueue = createQueue(QUEUES.billingStripeEvents, {
      connection: redis,
      prefix: uniquePrefix('billing'),
    });
    const app = await buildApp({
      config: testConfig(),
      stripe: null,
      eventsQueue,
      logger: createLogger({ service: configSpec.service, level: 'silent' }),
      metrics: createMetrics(configSpec.service),
      db,
      redis,
    });
    return {
      app,
      close: async () => {
        await app.close();
        await eventsQueue.close();
        redis.disconnect();
        await db.destroy();
      },
    };
  },
});
