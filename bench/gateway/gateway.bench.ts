/**
 * Gateway overhead and throughput: `pnpm --filter @mna/bench exec tsx gateway/gateway.bench.ts`
 * (needs Redis). Starts a stand-in upstream and the real gateway (src/main.ts, Clerk verification
 * networkless with a generated CLERK_JWT_KEY) as separate processes, then drives autocannon at:
 *   direct          GET /v1/documents/:id straight to the service, with an internal token
 *   gateway-auth    the same request through the gateway with a Clerk session token
 *   gateway-public  GET /v1/billing/plans through the gateway, no authentication
 * at BENCH_CONNECTIONS (1000) for BENCH_DURATION s (30), then direct vs gateway at 10 connections for
 * the per-request overhead without saturation. Prints a markdown table; JSON goes to bench/results/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateClerkKeyPair, mintClerkSessionToken, signInternalToken } from '@mna/shared';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = 'bench-internal-token-secret-0123456789abcdef';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const DURATION = Number(process.env.BENCH_DURATION ?? 30);
const DOC = '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
const children: ChildProcess[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const RESULTS = join(ROOT, 'bench', 'results');
mkdirSync(RESULTS, { recursive: true });

/**
 * `node --import tsx <args>` (one process, no tsx CLI wrapper); node flags may precede the script.
 * Its output always drains into a log file: an unread pipe fills up and stalls the child's event loop.
 */
function start(name: string, args: string[], env: Record<string, string>, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(RESULTS, `${name}.log`));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  children.push(child);
  return child;
}

async function waitFor(url: string) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never answered`);
}

/** The kernel's count of connections dropped because a listen queue was full (Linux). */
function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const names = lines.find((l) => l.startsWith('TcpExt:'))!.split(' ');
  const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]!.split(' ');
  return Number(values[names.indexOf('ListenOverflows')] ?? 0);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type Row = {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  fivexx: number;
  /** autocannon's own 10 s client timeouts, and connection errors, apart. */
  timeouts: number;
  errors: number;
  listenOverflows: number;
  statuses: Record<string, number>;
  /** CPU milliseconds the measured process (gateway, or the service when direct) spent per request. */
  cpuMsPerRequest: number;
};

async function run(
  name: string,
  url: string,
  headers: Record<string, string>,
  connections: number,
  duration: number,
  measuredPid: number,
) {
  await autocannon({ url, headers, connections, duration: 3 }); // warm-up (JIT, pools, caches)
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const cpuBefore = cpuSeconds(measuredPid);
  const overflowsBefore = listenOverflows();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, headers, connections, duration }, (error, res) =>
      error ? reject(error) : resolve(res),
    );
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
      histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
    });
  });
  const cpuMs = (cpuSeconds(measuredPid) - cpuBefore) * 1000;
  const ms = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
  const row: Row = {
    name,
    connections,
    rps: Math.round(result.requests.average),
    p50: ms(50),
    p95: ms(95),
    p99: ms(99),
    non2xx: result.non2xx,
    fivexx: result['5xx'],
    timeouts: result.timeouts,
    errors: result.errors,
    listenOverflows: listenOverflows() - overflowsBefore,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats as Record<string, { count: number }>).map(([code, s]) => [
        code,
        s.count,
      ]),
    ),
    cpuMsPerRequest: cpuMs / Math.max(1, result.requests.total),
  };
  console.error(JSON.stringify(row));
  return row;
}

try {
  const keys = await generateClerkKeyPair();
  const upstream = start('bench-upstream', ['bench/gateway/upstream.ts'], { BENCH_INTERNAL_SECRET: SECRET });
  const upstreamUrl = await new Promise<string>((resolve) =>
    upstream.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).url)),
  );
  const port = await freePort();
  const metricsPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  // BENCH_PROFILE=dir writes a CPU profile of the gateway process there.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const gateway = start(
    'bench-gateway',
    [...profile, 'src/main.ts'],
    {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      INTERNAL_TOKEN_SECRET: SECRET,
      REDIS_PREFIX: `bench:gw:${Date.now()}`,
      SEARCH_SERVICE_URL: upstreamUrl,
      AI_SERVICE_URL: upstreamUrl,
      BILLING_SERVICE_URL: upstreamUrl,
      CLERK_JWT_KEY: keys.publicKeyPem,
      CLERK_AUTHORIZED_PARTIES: 'https://bench.local',
      RATE_LIMIT_PUBLIC_PER_WINDOW: '100000000',
    },
    join(ROOT, 'apps', 'gateway'),
  );
  await waitFor(`${gatewayUrl}/healthz`);
  const session = await mintClerkSessionToken(keys, {
    userId: 'user_bench',
    azp: 'https://bench.local',
    org: { id: 'org_bench', rol: 'admin', slg: 'bench' },
  });
  const internal = async () => ({
    'x-internal-token': await signInternalToken(
      {
        tenantId: 'org_bench',
        userId: 'user_bench',
        orgRole: 'org:admin',
        plan: 'enterprise',
        requestId: 'bench-direct-0001',
      },
      SECRET,
      60,
    ),
  });
  const auth = { authorization: `Bearer ${session}` };
  const rows: Row[] = [];
  rows.push(await run('direct', upstreamUrl + DOC, await internal(), CONNECTIONS, DURATION, upstream.pid!));
  rows.push(await run('gateway-auth', gatewayUrl + DOC, auth, CONNECTIONS, DURATION, gateway.pid!));
  rows.push(
    await run('gateway-public', `${gatewayUrl}/v1/billing/plans`, {}, CONNECTIONS, DURATION, gateway.pid!),
  );
  rows.push(await run('direct', upstreamUrl + DOC, await internal(), 10, 10, upstream.pid!));
  rows.push(await run('gateway-auth', gatewayUrl + DOC, auth, 10, 10, gateway.pid!));

  const machine = `${cpus().length}× ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  const lines = [
    `Run ${new Date().toISOString()} on ${machine}. ${DURATION} s per run at ${CONNECTIONS} connections, 10 s at 10.`,
    '',
    '| scenario | conns | req/s | p50 ms | p95 ms | p99 ms | non-2xx | 5xx | timeouts | conn. errors | listen overflows | CPU ms/req |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.connections} | ${r.rps} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.non2xx} | ${r.fivexx} | ${r.timeouts} | ${r.errors} | ${r.listenOverflows} | ${r.cpuMsPerRequest.toFixed(3)} |`,
    ),
    '',
    `Authenticated / unauthenticated throughput through the gateway: ${((rows[1]!.rps / rows[2]!.rps) * 100).toFixed(0)}%.`,
    `Gateway overhead at p50, 10 connections: ${(rows[4]!.p50 - rows[3]!.p50).toFixed(2)} ms; at ${CONNECTIONS}: ${(rows[1]!.p50 - rows[0]!.p50).toFixed(2)} ms.`,
  ];
  // How the gateway's upstream calls ended over all runs (timeouts, circuit, ...), from its /metrics.
  const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const outcomes = exposition
    .split('\n')
    .filter((l) => l.startsWith('gateway_upstream_duration_seconds_count'))
    .map((l) => l.replace('gateway_upstream_duration_seconds_count', '').replace(/,?service="gateway"/, ''));
  lines.push('', `Gateway upstream outcomes (all runs): ${outcomes.join('; ')}`);
  console.log(lines.join('\n'));
  writeFileSync(join(RESULTS, `gateway-${Date.now()}.json`), JSON.stringify({ machine, rows }, null, 2));
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1_000));
}
