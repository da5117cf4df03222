import { createServiceClient, envFragments, type PrincipalInput, searchRoutes } from '@mna/shared';
import { buildCorpus } from './corpus.js';
import { RED_FLAG_DEAL, RED_FLAG_DOCUMENTS } from './red-flag-documents.js';

// Loads the demo ecosystem into the search service through its HTTP API, idempotently: companies
// are upserted by externalId, relationships by (from, to, kind), documents by externalId (unchanged
// ones are no-ops). Usage: pnpm exec tsx scripts/demo/seed-demo.ts [--tenant org_demo] [--no-wait]
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const tenantId = arg('--tenant') ?? process.env.DEMO_TENANT_ID ?? 'org_demo';
const baseUrl = process.env.SEARCH_SERVICE_URL ?? 'http://127.0.0.1:3001';
const secret =
  process.env.INTERNAL_TOKEN_SECRET ?? envFragments.internalAuth.INTERNAL_TOKEN_SECRET.parse(undefined);
const principal = (): PrincipalInput => ({
  tenantId,
  userId: 'user_demo_seed',
  orgRole: 'org:admin',
  plan: 'enterprise',
  requestId: `seed-${crypto.randomUUID()}`,
});

const client = createServiceClient({
  service: 'search-service',
  baseUrl,
  internalTokenSecret: secret,
  timeoutMs: 60_000,
});
const corpus = buildCorpus();

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

try {
  const ids = new Map<string, string>();
  await inBatches(corpus.companies, 8, async (c) => {
    const saved = await client.call(searchRoutes.createCompany, {
      principal: principal(),
      body: {
        externalId: c.ref,
        name: c.name,
        description: `${c.name} provides ${c.description}. Founded ${c.founded}, headquartered in ${c.hq}.`,
        industry: c.industry,
        region: c.region,
        employees: c.employees,
        revenueUsd: c.revenueUsd,
        tags: c.tags,
      },
    });
    ids.set(c.ref, saved.id);
  });
  const idOf = (ref: string) => {
    const id = ids.get(ref);
    if (!id) throw new Error(`company ${ref} was not created`);
    return id;
  };
  await inBatches(corpus.relationships, 8, async (r) => {
    await client.call(searchRoutes.createRelationship, {
      principal: principal(),
      body: {
        fromCompanyId: idOf(r.from),
        toCompanyId: idOf(r.to),
        kind: r.kind,
        strength: r.strength,
        source: r.source,
        since: r.since,
      },
    });
  });
  const documents = [...corpus.documents, ...RED_FLAG_DOCUMENTS].map(({ companyRef, ...d }) => ({
    ...d,
    metadata: { ...d.metadata, companyId: idOf(companyRef) },
  }));
  const accepted = await client.call(searchRoutes.ingestBulk, {
    principal: principal(),
    body: { documents },
  });
  console.log(
    `seeded tenant ${tenantId}: ${ids.size} companies, ${corpus.relationships.length} relationships, ${accepted.ids.length} documents`,
  );

  if (!process.argv.includes('--no-wait')) {
    const deadline = Date.now() + 180_000;
    let pending = accepted.ids;
    while (pending.length > 0 && Date.now() < deadline) {
      const states = await Promise.all(
        pending.map((id) =>
          client.call(searchRoutes.getDocument, { principal: principal(), params: { id } }),
        ),
      );
      pending = states.filter((s) => s.status === 'queued').map((s) => s.id);
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    console.log(
      pending.length === 0
        ? 'every document is indexed; search away'
        : `${pending.length} documents still queued: is the worker running (pnpm --filter @mna/search-service worker)?`,
    );
  }
  // Grounding at a glance: the same deal with and without a document whose red flags change the answer.
  const vdd = accepted.ids[accepted.ids.length - RED_FLAG_DOCUMENTS.length];
  console.log(
    `try grounding: POST /v1/ai/deals/analyze ${JSON.stringify({ ...RED_FLAG_DEAL, documentIds: [vdd] })} ` +
      'reads the PrintForge vendor due-diligence report and answers pass, each risk quoting it; ' +
      'the same figures with no such document read answer proceed',
  );
} finally {
  await client.close();
}
