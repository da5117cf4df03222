/**
 * Webhook intake and processing benchmark for the billing-service.
 *   cd bench && pnpm exec tsx billing/webhooks.ts [events] [customers]
 * Intake: signed events posted over real HTTP by 50 concurrent senders (verify + store + enqueue),
 * after BENCH_WARMUP (2,000) warm-up events whose figures are reported apart (a cold service's tail).
 * Processing: the worker (its own process, `src/worker.ts`) against the fake Stripe API, killed with
 * SIGKILL part-way and restarted; then every event must be processed exactly once in effect.
 * BENCH_INTAKE_ONLY=1 stops after the intake (profiling); BENCH_SERVICE_NODE_ARGS adds node flags to the
 * service process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
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
/** Events posted first and not counted: a freshly started service warms up (JIT, pools, Lua scripts). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const INTAKE_ONLY = process.env.BENCH_INTAKE_ONLY === '1';
const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const APP_DIR = fileURLToPath(new URL('../../apps/billing-service/', import.meta.url));
function spawnApp(entry: string, extra: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
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
  LOG_LEVEL: 'info', // the deployed default
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
const service = spawnApp('src/main.ts', { PORT: String(port), HOST: '127.0.0.1' }, SERVICE_NODE_ARGS);
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
// Warm-up events are of a type the worker stores and acknowledges without reading Stripe.
const warmups = Array.from({ length: WARMUP }, (_, i) =>
  fake.delivery('customer.updated', { id: `cus_warmup_${i}`, object: 'customer' }),
);

/** p99 of each tenth of the run, in answer order (shows whether the tail is start-up or steady). */
function p99ByTenth(ms: number[]): number[] {
  const size = Math.ceil(ms.length / 10);
  return Array.from({ length: 10 }, (_, i) => {
    const part = ms.slice(i * size, (i + 1) * size).sort((a, b) => a - b);
    return Math.round(part[Math.floor(part.length * 0.99)] ?? 0);
  });
}
/** CPU seconds (user + system) a process has used, from /proc (Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
/** CPU seconds of every process whose command starts with one of `names` (Postgres backends, Redis). */
async function cpuSecondsOf(names: string[]): Promise<number> {
  let total = 0;
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (names.some((n) => comm.startsWith(n))) total += await cpuSeconds(Number(pid)).catch(() => 0);
  }
  return total;
}
/** Busy CPU seconds of the whole machine, from /proc/stat. */
async function machineBusySeconds(): Promise<number> {
  const [, ...v] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).map(Number);
  return (v[0]! + v[1]! + v[2]! + v[5]! + v[6]! + v[7]!) / 100; // user nice system irq softirq steal
}
const TOTAL = EVENTS + WARMUP;
const perEventMs = (seconds: number, events = EVENTS) => Math.round(((seconds * 1000) / events) * 100) / 100;

/** Posts every delivery once over SENDERS connections; the answer times in answer order. */
async function post(list: Array<{ payload: string; headers: Record<string, string> }>) {
  let next = 0;
  const responseTimes: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${address}/webhooks/stripe`,
        connections: SENDERS,
        amount: list.length,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              const d = list[next++ % list.length]!;
              return { ...req, body: d.payload, headers: d.headers };
            },
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => responseTimes.push(ms));
  });
  return { result, responseTimes };
}

const warmup = WARMUP > 0 ? await post(warmups) : null;
const loadBefore = os.loadavg()[0]!;
const cpuBefore = await cpuSeconds(service.pid!);
const storesBefore = await cpuSecondsOf(['postgres', 'redis-server']);
const machineBefore = await machineBusySeconds();
const benchBefore = process.cpuUsage();
const { result: intake, responseTimes } = await post(deliveries);
const benchCpu = process.cpuUsage(benchBefore);
const cpuMsPerEvent = {
  service: perEventMs((await cpuSeconds(service.pid!)) - cpuBefore),
  postgresAndRedis: perEventMs((await cpuSecondsOf(['postgres', 'redis-server'])) - storesBefore),
  loadGenerator: perEventMs((benchCpu.user + benchCpu.system) / 1e6),
  machine: perEventMs((await machineBusySeconds()) - machineBefore),
};
const loadAfter = os.loadavg()[0]!;
/** Stored events, all or in one status. */
const countEvents = async (status?: 'processed' | 'dead') => {
  let q = owner.selectFrom('billing.stripe_events').select((eb) => eb.fn.countAll<number>().as('n'));
  if (status) q = q.where('status', '=', status);
  return (await q.executeTakeFirstOrThrow()).n;
};
const stored = await countEvents();

const kill = (child: ChildProcess) => {
  if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
};

/** Processing: the worker process, killed once with SIGKILL and restarted. */
async function runProcessing() {
  const startWorker = () => spawnApp('src/worker.ts', { BILLING_WORKER_CONCURRENCY: '8' });
  const processedCount = () => countEvents('processed');

  const t0 = Date.now();
  let worker = startWorker();
  let killedAt = 0;
  let rateBeforeKill = 0;
  // The rate is taken from the first processed event (the worker's start-up is not counted).
  while ((await processedCount()) === 0) await sleep(50);
  const t1 = Date.now();
  const first = await processedCount();
  while ((await processedCount()) < TOTAL * 0.4) await sleep(100);
  rateBeforeKill = ((await processedCount()) - first) / ((Date.now() - t1) / 1000);
  let workerCpu = await cpuSeconds(worker.pid!);
  kill(worker);
  killedAt = await processedCount();
  worker = startWorker();
  const deadline = Date.now() + 10 * 60_000;
  while ((await processedCount()) < TOTAL && Date.now() < deadline) await sleep(250);
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
  const dead = await countEvents('dead');
  return {
    customers: CUSTOMERS,
    events: TOTAL,
    processed,
    dead,
    ratePerSecondBeforeKill: Math.round(rateBeforeKill),
    workerCpuMsPerEvent: perEventMs(workerCpu, TOTAL),
    killedAfterProcessed: killedAt,
    totalSecondsIncludingRestart: Math.round(elapsed * 10) / 10,
    subscriptionsStored: rows.length,
    subscriptionsMatchingStripe: matching,
    tenantsWithDoubleNewMovement: doubled,
    tenantsWithNewMovement: newPerTenant.size,
  };
}

const report = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  warmup: warmup && {
    events: WARMUP,
    acceptedPerSecond: Math.round(WARMUP / (warmup.result.duration || 1)),
    latencyMs: {
      p50: warmup.result.latency.p50,
      p99: warmup.result.latency.p99,
      max: warmup.result.latency.max,
    },
    non2xx: warmup.result.non2xx,
  },
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
      p99ByTenth: p99ByTenth(responseTimes),
    },
    non2xx: intake.non2xx,
    errors: intake.errors,
    stored,
    cpuMsPerEvent,
    loadAverage1m: { before: loadBefore, after: loadAfter },
  },
  processing: INTAKE_ONLY ? 'skipped (BENCH_INTAKE_ONLY)' : await runProcessing(),
};
console.log(JSON.stringify(report, null, 2));

// SIGTERM: the service shuts down as deployed (and writes its profile under --cpu-prof).
const serviceExited = new Promise((resolve) => service.once('exit', resolve));
process.kill(service.pid!, 'SIGTERM');
await Promise.race([serviceExited, sleep(10_000)]);
kill(service);
await eventsQueue.close();
await deleteKeysWithPrefix(prefix);
redis.disconnect();
await db.destroy();
await owner.destroy();
await database.drop();
await fake.close();
process.exit(0);
