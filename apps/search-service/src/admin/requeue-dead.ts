import { createLogger, createQueue, loadConfigOrExit, QUEUES } from '@mna/shared';
import { createDb, createRedis } from '@mna/shared/kit';
import { sql } from 'kysely';
import { configSpec } from '../config.js';
import type { SearchDatabase } from '../db/schema.js';
import { createEmbedEnqueuer } from '../modules/indexing/indexing.queue.js';
import { requeueDead } from '../modules/indexing/requeue.js';

// pnpm --filter @mna/search-service requeue-dead [--tenant <id>] [--stale-minutes <n>]
// Without --tenant, every tenant with dead-lettered rows (found through the owner connection, which
// RLS does not restrict) is requeued; the updates themselves run as the application role.
const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: `${configSpec.service}-admin`, level: config.LOG_LEVEL });
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const staleArg = arg('--stale-minutes');
const staleMinutes = staleArg !== undefined ? Number(staleArg) : undefined;

const db = createDb<SearchDatabase>({ connectionString: config.DATABASE_URL, max: 2 });
const redis = createRedis(config.REDIS_URL);
const queue = createQueue(QUEUES.searchEmbed, { connection: redis, prefix: config.REDIS_PREFIX });
try {
  let tenants = arg('--tenant') ? [arg('--tenant')!] : [];
  if (tenants.length === 0) {
    const owner = createDb<SearchDatabase>({ connectionString: config.MIGRATION_DATABASE_URL, max: 1 });
    const { rows } = await sql<{ tenant_id: string }>`
      select tenant_id from search.documents where dead_lettered or status = 'queued'
      union select tenant_id from search.companies where embedding is null`.execute(owner);
    await owner.destroy();
    tenants = rows.map((r) => r.tenant_id);
  }
  const enqueueEmbed = createEmbedEnqueuer(queue, {
    attempts: config.EMBED_JOB_ATTEMPTS,
    backoffMs: config.EMBED_JOB_BACKOFF_MS,
  });
  for (const tenantId of tenants) {
    const counts = await requeueDead({ db, enqueueEmbed }, tenantId, { staleMinutes });
    logger.info({ tenantId, ...counts }, 'requeued');
  }
} finally {
  await queue.close();
  redis.disconnect();
  await db.destroy();
}
