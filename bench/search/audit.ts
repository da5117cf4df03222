import { withTenant } from '@mna/shared/kit';
import { recordAudit } from '../../apps/search-service/src/modules/audit/audit.repo.js';
import { machine, percentile, startSearchStack } from './setup.js';

// What the audit row adds to a request: the same tenant transaction with and without recordAudit.
const N = 2000;
const stack = await startSearchStack();
const principal = {
  tenantId: 'org_audit',
  userId: 'u',
  orgRole: null,
  plan: 'growth' as const,
  requestId: 'r',
  permissions: [],
  platformAdmin: false,
};
try {
  const time = async (withAudit: boolean) => {
    const out: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await withTenant(stack.db, 'org_audit', async (trx) => {
        await trx.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
        if (withAudit) {
          await recordAudit(trx, principal, {
            action: 'search',
            details: {
              queryHash: 'abc',
              mode: 'hybrid',
              filters: { region: ['EMEA'] },
              resultCount: 10,
              latencyMs: 4.2,
            },
          });
        }
      });
      out.push(performance.now() - t0);
    }
    return out.sort((a, b) => a - b);
  };
  await time(true); // warm up
  const base = await time(false);
  const audited = await time(true);
  console.log(
    `audit overhead, ${N} transactions each, sequential, ${new Date().toISOString()}, ${await machine()}`,
  );
  console.log(`| | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|`);
  for (const [name, xs] of [
    ['transaction without audit row', base],
    ['with audit row', audited],
  ] as const) {
    console.log(
      `| ${name} | ${percentile(xs, 50).toFixed(2)} | ${percentile(xs, 95).toFixed(2)} | ${percentile(xs, 99).toFixed(2)} |`,
    );
  }
} finally {
  await stack.close();
}
