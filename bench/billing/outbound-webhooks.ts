/**
 * Outbound partner webhook delivery throughput.
 *   cd bench && pnpm exec tsx billing/outbound-webhooks.ts [messages] [failRate]
 * The delivery workers (`createDeliveryWorkers`, as `src/worker.ts` runs them: concurrency
 * WEBHOOK_DELIVERY_CONCURRENCY, default 32) run in this process against real Postgres, Redis and
 * BullMQ; the receiver is its own process on 127.0.0.1. Messages (1 KB of data each) are written as
 * the fan-out writes them, then enqueued at once; the clock runs until every message is settled.
 * With failRate > 0 the receiver answers 503 that often and the retry schedule is scaled to
 * 0,50ms,100ms,200ms,400ms. CPU per attempt is this process's (the worker's) user + system time.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { createLogger, loadConfig } from '@mna/shared';
import { createDb, createRedis, runMigrations } from '@mna/shared/kit';
import {
  APP_ROLE,
  createTestDatabase,
  deleteKeysWithPrefix,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import { configSpec } from '../../apps/billing-service/src/config.js';
import { migrations, SCHEMA } from '../../apps/billing-service/src/db/migrations/index.js';
import type { BillingDatabase } from '../../apps/billing-service/src/db/schema.js';
import { createDeliveryWorkers } from '../../apps/billing-service/src/modules/partner-webhooks/delivery.jobs.js';
import {
  enqueueDelivery,
  newMessageId,
} from '../../apps/billing-service/src/modules/partner-webhooks/delivery.queue.js';
import { percentiles } from '../ai/stats.js';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const FAIL_RATE = Number(process.argv[3] ?? 0);
const TENANT = 'org_bench_outbound';
const CHUNK = 1_000;

const receiver = spawn(
  process.execPath,
  ['--import', 'tsx', new URL('./outbound-receiver.ts', import.meta.url).pathname],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RECEIVER_FAIL_RATE: String(FAIL_RATE) } },
);
const lines = createInterface({ input: receiver.stdout! })[Symbol.asyncIterator]();
const receiverUrl = (await lines.next()).value as string;

const database = await createTestDatabase();
await runMigrations({ ownerUrl: database.ownerUrl, appRole: APP_ROLE, schema: SCHEMA, migrations });
const prefix = uniquePrefix('bench-outbound');
const config = loadConfig(configSpec, {
  NODE_ENV: 'test',
  DATABASE_URL: database.appUrl,
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: prefix,
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  ...(FAIL_RATE > 0 ? { WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms,200ms,400ms' } : {}),
});
const db = createDb<BillingDatabase>({ connectionString: database.appUrl, max: 20 });
const owner = createDb<BillingDatabase>({ connectionString: database.ownerUrl, max: 2 });
const connection = createRedis(TEST_REDIS_URL, 'worker');
const workers = await createDeliveryWorkers({
  db,
  config,
  connection,
  prefix,
  logger: createLogger({ service: 'bench-outbound', level: 'warn' }),
  sweep: false,
});

const endpoint = await owner
  .insertInto('billing.webhook_endpoints')
  .values({
    tenant_id: TENANT,
    url: receiverUrl,
    event_types: ['document.indexed'],
    secrets: JSON.stringify([
      {
        secret: `whsec_${randomBytes(32).toString('base64')}`,
        createdAt: new Date().toISOString(),
        expiresAt: null,
      },
    ]),
  })
  .returning('id')
  .executeTakeFirstOrThrow();
const ids: string[] = [];
for (let start = 0; start < MESSAGES; start += CHUNK) {
  const rows = Array.from({ length: Math.min(CHUNK, MESSAGES - start) }, (_, i) => ({
    eventId: `evt_${randomBytes(12).toString('base64url')}`,
    messageId: newMessageId(),
    n: start + i,
  }));
  await owner
    .insertInto('billing.webhook_events')
    .values(
      rows.map((r) => ({
        id: r.eventId,
        tenant_id: TENANT,
        type: 'document.indexed',
        resource_id: `doc_${r.n}`,
        sequence: 1,
        data: JSON.stringify({ n: r.n, title: 'Project Atlas teaser', body: 'x'.repeat(1_000) }),
        created_at: new Date(),
      })),
    )
    .execute();
  await owner
    .insertInto('billing.webhook_messages')
    .values(
      rows.map((r) => ({
        id: r.messageId,
        endpoint_id: endpoint.id,
        event_id: r.eventId,
        tenant_id: TENANT,
      })),
    )
    .execute();
  ids.push(...rows.map((r) => r.messageId));
}

const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let start = 0; start < ids.length; start += CHUNK) {
  await enqueueDelivery(
    workers.deliveryQueue,
    ids.slice(start, start + CHUNK).map((messageId) => ({ messageId })),
  );
}
const enqueuedMs = performance.now() - started;
const count = async (table: 'billing.webhook_messages' | 'billing.webhook_attempts', status?: string) => {
  let query = owner.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
  if (status) query = query.where('status' as never, '=', status as never);
  return Number((await query.executeTakeFirstOrThrow()).n);
};
const counts = async () => ({
  pending: await count('billing.webhook_messages', 'pending'),
  delivered: await count('billing.webhook_messages', 'delivered'),
  failed: await count('billing.webhook_messages', 'failed'),
  attempts: await count('billing.webhook_attempts'),
});
for (;;) {
  if ((await count('billing.webhook_messages', 'pending')) === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const elapsedS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const final = await counts();
const durations = await owner.selectFrom('billing.webhook_attempts').select('duration_ms').execute();
receiver.kill('SIGTERM');
const received = Number((await lines.next()).value);
await once(receiver, 'exit');

const attempts = final.attempts;
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      messages: MESSAGES,
      failRate: FAIL_RATE,
      concurrency: config.WEBHOOK_DELIVERY_CONCURRENCY,
      enqueueMs: Math.round(enqueuedMs),
      elapsedS: Math.round(elapsedS * 10) / 10,
      settledPerS: Math.round(MESSAGES / elapsedS),
      attemptsPerS: Math.round(attempts / elapsedS),
      delivered: final.delivered,
      failed: final.failed,
      attempts,
      receiverRequests: received,
      attemptDurationMs: percentiles(durations.map((d) => d.duration_ms)),
      workerCpuMsPerAttempt: Math.round(((cpu.user + cpu.system) / 1000 / attempts) * 100) / 100,
      loadAvg: os.loadavg().map((l) => Math.round(l * 10) / 10),
    },
    null,
    2,
  ),
);

await workers.close();
await deleteKeysWithPrefix(prefix);
connection.disconnect();
await db.destroy();
await owner.destroy();
await new Promise((r) => setTimeout(r, 250));
await database.drop();
