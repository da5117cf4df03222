/**
 * Whole-platform load test: the four services and their workers (see stack.ts), driven through the
 * gateway by a realistic mix (load.ts) with many keep-alive connections, then the embedding queue is
 * timed until it drains and every accepted document and Stripe event is accounted for.
 *
 *   pnpm exec tsx bench/platform/platform.ts [--connections 1000] [--duration 60] [--tenants 200]
 *
 * Prints a JSON report and writes it to bench/results/platform-<time>.json, with the log of every
 * process (warn and above: each 5xx's error with its requestId) in bench/results/platform-<time>/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createQueue, QUEUES } from '@mna/shared';
import { createRedis } from '@mna/shared/kit';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '@mna/testing';
import { repoPath } from '../../infra/test/support/repo.js';
import { runLoad, summarise } from './load.js';
import { startStack } from './stack.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '60' },
    tenants: { type: 'string', default: '200' },
  },
});
const connections = Number(values.connections);
const durationMs = Number(values.duration) * 1000;
const log = (message: string) => process.stderr.write(`[platform] ${message}\n`);

log('starting the platform (database, migrations, fake Stripe, 4 services, workers)');
const stack = await startStack({ tenants: Number(values.tenants) });
const redis = createRedis(TEST_REDIS_URL);
const embedQueue = createQueue(QUEUES.searchEmbed, { connection: redis, prefix: stack.prefix });
let exitCodes: Record<string, number | null> = {};
const loadBefore = os.loadavg().map((l) => l.toFixed(2));
// The report goes to bench/results/platform-<time>.json, each process's log (warn and above) beside it.
const logDir = repoPath(`bench/results/platform-${Date.now()}`);
mkdirSync(logDir, { recursive: true });
try {
  log(`load: ${connections} connections for ${durationMs / 1000} s through ${stack.gatewayUrl}`);
  const { outcomes, networkErrors, elapsedS } = await runLoad(stack, { connections, durationMs });
  const loadEnded = Date.now();
  const routes = summarise(outcomes, elapsedS);

  // Embedding queue drain: every accepted document leaves `queued` (indexed or failed).
  const accepted = outcomes
    .filter((o) => o.route === 'POST /v1/documents' && o.status === 202)
    .map((o) => (JSON.parse(o.body ?? '{}') as { id?: string }).id)
    .filter((id): id is string => Boolean(id));
  const documentStates = async () => {
    const { rows } = await stack.owner.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from search.documents where id = any($1::uuid[]) group by status',
      [accepted],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  };
  const queueBusy = async () => {
    const counts = await embedQueue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };
  let drainedAfterS: number | null = null;
  log(`waiting for the embedding queue to drain (${accepted.length} accepted documents)`);
  while (Date.now() - loadEnded < 10 * 60_000) {
    const states = await documentStates();
    if (!states.queued && (await queueBusy()) === 0) {
      drainedAfterS = (Date.now() - loadEnded) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const documents = await documentStates();

  // Stripe events: every 2xx delivery is stored; after the worker, processed (or dead, with a reason).
  const webhooksAccepted = outcomes.filter(
    (o) => o.route === 'POST /webhooks/stripe' && o.status < 300,
  ).length;
  await new Promise((r) => setTimeout(r, 5_000));
  const { rows: events } = await stack.owner.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from billing.stripe_events group by status',
  );
  const total = outcomes.length;
  const fiveXx = outcomes.filter((o) => o.status >= 500);
  // Every 5xx by route, status and the start of its body, so each kind can be traced in the logs.
  const fiveXxKinds: Record<string, number> = {};
  for (const o of fiveXx) {
    const kind = `${o.route} ${o.status} ${(o.body ?? '').slice(0, 160)}`;
    fiveXxKinds[kind] = (fiveXxKinds[kind] ?? 0) + 1;
  }
  const report = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    connections,
    durationS: Math.round(elapsedS),
    tenants: stack.tenants.length,
    totalRequests: total,
    throughputRps: Math.round(total / elapsedS),
    fiveXx: fiveXx.length,
    fiveXxKinds,
    loadAverage: { before: loadBefore, after: os.loadavg().map((l) => l.toFixed(2)) },
    logs: logDir,
    networkErrors,
    routes,
    embedding: { accepted: accepted.length, states: documents, drainedAfterS },
    webhooks: { accepted: webhooksAccepted, stored: Object.fromEntries(events.map((e) => [e.status, e.n])) },
  };
  writeFileSync(`${logDir}.json`, JSON.stringify(report, null, 2));
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await embedQueue.close();
  redis.disconnect();
  exitCodes = await stack.stop();
  for (const { name, spawned } of stack.processes) {
    writeFileSync(`${logDir}/${name.replace(/\W+/g, '-')}.log`, spawned.output());
  }
  await deleteKeysWithPrefix(stack.prefix);
  log(`processes exited: ${JSON.stringify(exitCodes)}`);
}
