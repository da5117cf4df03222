// The contract-true search-service stand-in as its own process (so its cost is not measured as the
// AI service's): serves the bench tenant, `BENCH_TENANTS` more tenants (`org_bench_0`…) with the same
// documents, and the generated ecosystem; prints its URL on stdout.
import { tenantWithDocuments } from '../../apps/ai-service/test/fixtures.js';
import { startSearchStandIn } from '../../apps/ai-service/test/search-stand-in.js';
import { syntheticEcosystem } from '../../apps/ai-service/test/synthetic-ecosystem.js';

const companies = Number(process.env.BENCH_COMPANIES ?? 20_000);
const edges = Number(process.env.BENCH_RELATIONSHIPS ?? 100_000);
const eco = syntheticEcosystem({ companies, edges, seed: 2026 });
const benchTenants = Array.from(
  { length: Number(process.env.BENCH_TENANTS ?? 0) },
  (_, i) => `org_bench_${i}`,
);
const search = await startSearchStandIn({
  ...Object.fromEntries(benchTenants.map((tenant) => [tenant, tenantWithDocuments(tenant)])),
  org_bench: tenantWithDocuments('bench'),
  org_eco: { companies: eco.companies, edges: eco.edges, documents: [], version: 'bench-v1' },
});
process.stdout.write(`${search.url}\n`);
process.on('SIGTERM', () => void search.close().then(() => process.exit(0)));
