/**
 * Webhook intake and processing benchmark for the billing-service.
 *   cd bench && pnpm exec tsx billing/webhooks.ts [events] [customers]
 * Intake: signed events posted over real HTTP by 50 concurrent senders (verify + store + enqueue).
 * Processing: the worker (its own process, `src/worker.ts`) against the fake Stripe API, killed with
 * SIGKILL part-way and restarted; then every event must be processed exactly once in effect.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createQueue, loadConfig, QUEUES } from '@mna/shared';
import { createDb, createRedis, runMigrations } from '@mna/shared/kit';
import {
  APP_ROLE,
  createTestDatabase,
  deleteKeysWithPrefix,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import autocannon from 'autocannon';
import { configSpec } from '../../apps/billing-service/src/config.js';
import { migrations, SCHEMA } from '../../apps/billing-service/src/db/migrations/index.js';
import type { BillingDatabase } from '../../apps/billing-service/src/db/schema.js';
import { syncCatalog } from '../../apps/billing-service/src/modules/catalog/catalog.sync.js';
import { createStripeClient } from '../../apps/billing-service/src/stripe/stripe.client.js';
import { startFakeStripe } from '../../apps/billing-service/test/fake-stripe.js';

const EVENTS = Number(process.argv[2] ?? 10_000);
const CUSTOMERS = Number(process.argv[3] ?? 2_000);
const SENDERS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const APP_DIR = fileURLToPath(new URL('../../apps/billing-service/', import.meta.url));
function spawnApp(entry: string, extra: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: APP_DIR,
    env: { ...process.env, ...env, ...extra },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
}
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const fake = await startFakeStripe();
const database = await createTestDatabase();
await runMigrations({ ownerUrl: database.ownerUrl, appRole: APP_ROLE, schema: SCHEMA, migrations });
const prefix = uniquePrefix('bench-billing');
const env = {
  ...fake.env,
  NODE_ENV: 'test',
  INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
  DATABASE_URL: database.appUrl,
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: prefix,
  LOG_LEVEL: 'warn',
  DATABASE_POOL_MAX: '20',
};
const config = loadConfig(configSpec, env);
const db = createDb<BillingDatabase>({ connectionString: database.appUrl, max: 20 });
const owner = createDb<BillingDatabase>({ connectionString: database.ownerUrl, max: 2 });
const redis = createRedis(TEST_REDIS_URL);
const eventsQueue = createQueue(QUEUES.billingStripeEvents, { connection: redis, prefix });
const stripe = createStripeClient(config)!;
await syncCatalog(stripe);
// The service runs as its own process (src/main.ts), as deployed: the load generator does not share its CPU.
const port = await freePort();
const service = spawnApp('src/main.ts', { PORT: String(port), HOST: '127.0.0.1' });
const address = `http://127.0.0.1:${port}`;
while (
  !(await fetch(`${address}/readyz`).then(
    (r) => r.ok,
    () => false,
  ))
)
  await sleep(200);

// Stripe state and the deliveries: CUSTOMERS subscriptions, EVENTS events spread over them.
const keys = ['mna_solo_month_usd', 'mna_growth_month_eur', 'mna_enterprise_year_gbp'];
const subs = Array.from({ length: CUSTOMERS }, (_, i) => {
  const customer = fake.customer(`org_bench_${i}`);
  return fake.subscribe(customer.id, keys[i % keys.length]!);
});
const deliveries = Array.from({ length: EVENTS }, (_, i) =>
  fake.delivery(
    i < CUSTOMERS ? 'customer.subscription.created' : 'customer.subscription.updated',
    subs[i % CUSTOMERS]!,
  ),
);

/** CPU seconds (user + system) a child process has used, from /proc (Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

let next = 0;
const cpuBefore = await cpuSeconds(service.pid!);
const intake = await autocannon({
  url: `${address}/webhooks/stripe`,
  connections: SENDERS,
  amount: EVENTS,
  requests: [
    {
      method: 'POST',
      setupRequest: (req) => {
        const d = deliveries[next++ % deliveries.length]!;
        return { ...req, body: d.payload, headers: d.headers };
      },
    },
  ],
});
const serviceCpuMsPerEvent = (((await cpuSeconds(service.pid!)) - cpuBefore) * 1000) / EVENTS;
const stored = (
  await owner
    .selectFrom('billing.stripe_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
).n;

// Processing: the worker process, killed once with SIGKILL and restarted.
const startWorker = () => spawnApp('src/worker.ts', { BILLING_WORKER_CONCURRENCY: '8' });
const processedCount = async () =>
  (
    await owner
      .selectFrom('billing.stripe_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'processed')
      .executeTakeFirstOrThrow()
  ).n;
const kill = (child: ChildProcess) => child.pid && process.kill(-child.pid, 'SIGKILL');

const t0 = Date.now();
let worker = startWorker();
let killedAt = 0;
let rateBeforeKill = 0;
// The rate is taken from the first processed event (the worker's start-up is not counted).
while ((await processedCount()) === 0) await sleep(50);
const t1 = Date.now();
const first = await processedCount();
while ((await processedCount()) < EVENTS * 0.4) await sleep(100);
rateBeforeKill = ((await processedCount()) - first) / ((Date.now() - t1) / 1000);
let workerCpu = await cpuSeconds(worker.pid!);
kill(worker);
killedAt = await processedCount();
worker = startWorker();
const deadline = Date.now() + 10 * 60_000;
while ((await processedCount()) < EVENTS && Date.now() < deadline) await sleep(250);
const elapsed = (Date.now() - t0) / 1000;
const processed = await processedCount();
workerCpu += await cpuSeconds(worker.pid!);
kill(worker);

// Exactly-once in effect: one `new` movement per subscription, and stored state equal to Stripe's.
const moves = await owner.selectFrom('billing.mrr_movements').select(['tenant_id', 'kind']).execute();
const newPerTenant = new Map<string, number>();
for (const m of moves)
  if (m.kind === 'new') newPerTenant.set(m.tenant_id, (newPerTenant.get(m.tenant_id) ?? 0) + 1);
const doubled = [...newPerTenant.values()].filter((n) => n > 1).length;
const rows = await owner
  .selectFrom('billing.subscriptions')
  .select(['stripe_subscription_id', 'status'])
  .execute();
const matching = rows.filter(
  (r) => fake.state.subscriptions.get(r.stripe_subscription_id)?.status === r.status,
).length;
const dead = (
  await owner
    .selectFrom('billing.stripe_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'dead')
    .executeTakeFirstOrThrow()
).n;

const report = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  intake: {
    events: EVENTS,
    senders: SENDERS,
    acceptedPerSecond: Math.round(EVENTS / (intake.duration || 1)),
    meanReqPerSecond: intake.requests.average,
    latencyMs: {
      p50: intake.latency.p50,
      p90: intake.latency.p90,
      p99: intake.latency.p99,
      max: intake.latency.max,
    },
    non2xx: intake.non2xx,
    errors: intake.errors,
    stored,
    serviceCpuMsPerEvent: Math.round(serviceCpuMsPerEvent * 100) / 100,
  },
  processing: {
    customers: CUSTOMERS,
    processed,
    dead,
    ratePerSecondBeforeKill: Math.round(rateBeforeKill),
    workerCpuMsPerEvent: Math.round(((workerCpu * 1000) / EVENTS) * 100) / 100,
    killedAfterProcessed: killedAt,
    totalSecondsIncludingRestart: Math.round(elapsed * 10) / 10,
    subscriptionsStored: rows.length,
    subscriptionsMatchingStripe: matching,
    tenantsWithDoubleNewMovement: doubled,
    tenantsWithNewMovement: newPerTenant.size,
  },
};
console.log(JSON.stringify(report, null, 2));

kill(service);
await eventsQueue.close();
await deleteKeysWithPrefix(prefix);
redis.disconnect();
await db.destroy();
await owner.destroy();
await database.drop();
await fake.close();
process.exit(0);
