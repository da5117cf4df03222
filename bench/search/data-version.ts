// GET /internal/data-version of the real search-service (what every AI deal-analysis cache hit asks):
// sequential requests over one keep-alive connection after a warm-up, the service in this process on a
// scratch database, 100 tenants with one document each (the version row exists).
// Run: cd bench && pnpm exec tsx search/data-version.ts
import os from 'node:os';
import { DataVersionSchema } from '@mna/shared';
import { internalHeaders } from '@mna/testing';
import { Pool } from 'undici';
import { percentiles, timeSequential } from '../ai/stats.js';
import { BENCH_SECRET, startSearchStack } from './setup.js';

const TENANTS = 100;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const stack = await startSearchStack();
const client = new Pool(stack.url, { connections: 1 });
const tenants = Array.from({ length: TENANTS }, (_, i) => `org_version_${i}`);
try {
  const headersOf = () => Promise.all(tenants.map((tenantId) => internalHeaders({ tenantId }, BENCH_SECRET)));
  let headers = await headersOf();
  for (const [i, tenant] of tenants.entries()) {
    const response = await client.request({
      method: 'POST',
      path: '/v1/documents',
      headers: { ...headers[i], 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: 'memo',
        kind: 'deal_memo',
        title: `Memo of ${tenant}`,
        content: 'Text.',
      }),
    });
    if (response.statusCode !== 202) throw new Error(`ingest: ${await response.body.text()}`);
    await response.body.dump();
  }
  const read = async (i: number) => {
    const response = await client.request({
      method: 'GET',
      path: '/internal/data-version',
      headers: headers[Math.abs(i) % TENANTS]!,
    });
    const body = DataVersionSchema.parse(await response.body.json());
    if (response.statusCode !== 200 || body.documents === '0') throw new Error('no version');
  };
  const samples: number[] = [];
  await timeSequential(0, 1000, read);
  const rounds = [];
  for (let round = 0; round < 3; round++) {
    headers = await headersOf(); // internal tokens live 60 s at most
    rounds.push(await timeSequential(REQUESTS, 0, read, samples));
  }
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${os.cpus().length}x ${os.cpus()[0]?.model}`,
        'GET /internal/data-version (all rounds)': percentiles(samples),
        rounds,
      },
      null,
      2,
    ),
  );
} finally {
  await client.close();
  await stack.close();
}
