/**
 * Soak run: the whole platform (stack.ts: four services and three workers as their own processes),
 * driven through the gateway by the platform mix (load.ts) at a moderate, fixed rate, with every
 * process's resident memory sampled from /proc every 10 s.
 *
 *   SOAK_SECONDS=600 pnpm exec tsx bench/platform/soak.ts
 *
 * Knobs (environment): SOAK_SECONDS (600), SOAK_CONNECTIONS (4), SOAK_PAUSE_MS (250, each connection
 * waits this long between requests), SOAK_TENANTS (20), SOAK_WARMUP_SECONDS (120, at most half the run).
 *
 * Prints requests, statuses per route, 5xx (each kind with its body), and per process the RSS after
 * warm-up and at the end with the least-squares slope over the post-warm-up samples. A process is
 * "flat" when that slope is under FLAT_MB_PER_MIN. Writes the report to bench/results/soak-<time>.json
 * and every process's log (warn and above) beside it. Exits 1 on any 5xx, network error or growth.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { deleteKeysWithPrefix } from '@mna/testing';
import { repoPath } from '../../infra/test/support/repo.js';
import { runLoad, summarise } from './load.js';
import { slope, treeRssMb } from './rss.js';
import { startStack } from './stack.js';

/**
 * 1 MiB per minute: V8 heaps and allocator arenas move RSS by several MiB between samples, which a
 * least-squares fit over ~50 samples averages out to well under this; a leak of ~2 KiB per request at
 * the default rate (~15 requests/s, about 1.8 MiB/min) would exceed it, and 1 MiB/min is 1.4 GiB a day.
 */
const FLAT_MB_PER_MIN = 1;
const SAMPLE_MS = 10_000;

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const durationS = env('SOAK_SECONDS', 600);
const connections = env('SOAK_CONNECTIONS', 4);
const pauseMs = env('SOAK_PAUSE_MS', 250);
const warmupS = Math.min(env('SOAK_WARMUP_SECONDS', 120), durationS / 2);
const log = (message: string) => process.stderr.write(`[soak] ${new Date().toISOString()} ${message}\n`);

log('starting the platform (database, migrations, fake Stripe, 4 services, 3 workers)');
const stack = await startStack({ tenants: env('SOAK_TENANTS', 20), workers: true });
const logDir = repoPath(`bench/results/soak-${Date.now()}`);
mkdirSync(logDir, { recursive: true });
const pids = stack.processes.map(({ name, spawned }) => ({ name, pid: spawned.child.pid! }));
log(`processes: ${pids.map((p) => `${p.name}=${p.pid}`).join(', ')}`);

type Sample = { t: number; rss: Record<string, number | null> };
const samples: Sample[] = [];
const t0 = Date.now();
const sample = () => {
  const rss = Object.fromEntries(pids.map(({ name, pid }) => [name, treeRssMb(pid)]));
  samples.push({ t: (Date.now() - t0) / 1000, rss });
  const line = Object.entries(rss).map(([n, mb]) => `${n} ${mb === null ? 'gone' : mb.toFixed(0)}`);
  log(`t=${Math.round((Date.now() - t0) / 1000)} s RSS MiB: ${line.join(', ')}`);
};
const loadBefore = os.loadavg().map((l) => l.toFixed(2));
let exitCodes: Record<string, number | null> = {};
let failed = true;
try {
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  log(`load: ${connections} connections, ${pauseMs} ms pause, ${durationS} s through ${stack.gatewayUrl}`);
  const { outcomes, networkErrors, elapsedS } = await runLoad(stack, {
    connections,
    durationMs: durationS * 1000,
    pauseMs,
  });
  clearInterval(timer);
  if (Date.now() - t0 - (samples.at(-1)?.t ?? 0) * 1000 > 1_000) sample();

  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  const fiveXx = outcomes.filter((o) => o.status >= 500);
  const fiveXxKinds: Record<string, number> = {};
  for (const o of fiveXx) {
    const kind = `${o.route} ${o.status} ${(o.body ?? '').slice(0, 200)}`;
    fiveXxKinds[kind] = (fiveXxKinds[kind] ?? 0) + 1;
  }

  const memory = pids.map(({ name }) => {
    const after = samples.filter((s) => s.t >= warmupS && s.rss[name] != null);
    const points = after.map((s) => [s.t / 60, s.rss[name]!] as [number, number]);
    const mbPerMin = slope(points);
    const exitedDuringRun = samples.some((s) => s.rss[name] === null);
    return {
      process: name,
      startMb: round(samples[0]?.rss[name] ?? null),
      afterWarmupMb: round(after[0]?.rss[name] ?? null),
      endMb: round(after.at(-1)?.rss[name] ?? null),
      peakMb: round(Math.max(...samples.map((s) => s.rss[name] ?? 0))),
      slopeMbPerMin: Number(mbPerMin.toFixed(3)),
      samples: points.length,
      verdict: exitedDuringRun ? 'exited' : mbPerMin < FLAT_MB_PER_MIN ? 'flat' : 'growing',
    };
  });

  const { rows: documents } = await stack.owner.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from search.documents group by status',
  );
  const networkErrorCount = Object.values(networkErrors).reduce((a, b) => a + b, 0);
  const report = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    command: `SOAK_SECONDS=${durationS} SOAK_CONNECTIONS=${connections} SOAK_PAUSE_MS=${pauseMs} pnpm exec tsx bench/platform/soak.ts`,
    durationS: Math.round(elapsedS),
    warmupS,
    flatThresholdMbPerMin: FLAT_MB_PER_MIN,
    tenants: stack.tenants.length,
    requests: outcomes.length,
    rps: Number((outcomes.length / elapsedS).toFixed(1)),
    statuses,
    fiveXx: fiveXx.length,
    fiveXxKinds,
    networkErrors,
    loadAverage: { before: loadBefore, after: os.loadavg().map((l) => l.toFixed(2)) },
    routes: summarise(outcomes, elapsedS),
    documents: Object.fromEntries(documents.map((d) => [d.status, d.n])),
    memory,
    verdict: memory.every((m) => m.verdict === 'flat') ? 'flat' : 'growth',
    samples,
    logs: logDir,
  };
  writeFileSync(`${logDir}.json`, JSON.stringify(report, null, 2));
  const { samples: _all, ...printed } = report;
  process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
  console.table(memory);
  failed = fiveXx.length > 0 || networkErrorCount > 0 || report.verdict !== 'flat';
} finally {
  exitCodes = await stack.stop();
  for (const { name, spawned } of stack.processes) {
    writeFileSync(`${logDir}/${name.replace(/\W+/g, '-')}.log`, spawned.output());
  }
  await deleteKeysWithPrefix(stack.prefix);
  log(`processes exited: ${JSON.stringify(exitCodes)}`);
}
process.exitCode = failed ? 1 : 0;

function round(mb: number | null) {
  return mb === null ? null : Math.round(mb * 10) / 10;
}
