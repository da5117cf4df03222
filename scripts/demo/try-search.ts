import { createServiceClient, envFragments, searchRoutes } from '@mna/shared';

// Searches the demo tenant from the command line, in every mode:
//   pnpm exec tsx scripts/demo/try-search.ts "who bought the offshore wind developer"
const query = process.argv.slice(2).join(' ') || 'acquisition of a cold-chain logistics company';
const client = createServiceClient({
  service: 'search-service',
  baseUrl: process.env.SEARCH_SERVICE_URL ?? 'http://127.0.0.1:3001',
  internalTokenSecret:
    process.env.INTERNAL_TOKEN_SECRET ?? envFragments.internalAuth.INTERNAL_TOKEN_SECRET.parse(undefined),
});
const principal = () => ({
  tenantId: process.env.DEMO_TENANT_ID ?? 'org_demo',
  userId: 'user_demo',
  orgRole: null,
  plan: 'enterprise' as const,
  requestId: `try-${crypto.randomUUID()}`,
});
try {
  for (const mode of ['hybrid', 'semantic', 'keyword'] as const) {
    const res = await client.call(searchRoutes.search, {
      principal: principal(),
      body: { query, mode, limit: 5 },
    });
    console.log(`\n${mode} (${res.tookMs} ms)`);
    for (const r of res.results) console.log(`  ${r.score.toFixed(4)}  [${r.kind}] ${r.title}`);
  }
} finally {
  await client.close();
}
