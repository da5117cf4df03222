import { InfluenceMapSchema, PartnerResultsSchema } from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { internalHeaders } from '@mna/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagerankOf } from '../src/modules/ecosystem/centrality.js';
import { buildGraph } from '../src/modules/ecosystem/graph.js';
import { ACQUISITION_MODEL } from '../src/modules/ecosystem/partners.acquisition-model.js';
import { type AiHarness, startAi } from './harness.js';
import { company, edge, type SearchStandIn, startSearchStandIn, type TenantData } from './search-stand-in.js';

// Influence graph: two tight clusters {A,B,C} and {D,E,F,G} joined by C–D, and a weak direct A–G tie.
const [A, B, C, D, E, F, G] = ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((name) => company({ name }));
const influenceTenant: TenantData = {
  companies: [A!, B!, C!, D!, E!, F!, G!],
  edges: [
    edge(A!, B!, 0.9),
    edge(B!, C!, 0.9),
    edge(A!, C!, 0.9),
    edge(C!, D!, 0.5, 'supplier'),
    edge(D!, E!, 0.9),
    edge(E!, F!, 0.9),
    edge(D!, F!, 0.9),
    edge(G!, D!, 0.8, 'investor'),
    edge(A!, G!, 0.2),
  ],
  documents: [],
  version: 'influence-v1',
};

// Partner graph: X is the buyer; its factors against P1, P2, P3 and H are worked out by hand below
// (e.g. P1's proximity: path X–H–P1 of length 2 gives 0.7·½, shared neighbours {H} of {H,P2} give 0.3·½).
const X = company({
  name: 'X',
  industry: 'software',
  region: 'Europe',
  revenueUsd: 100,
  tags: ['saas', 'ai'],
});
const P1 = company({
  name: 'P1',
  industry: 'software',
  region: 'Europe',
  revenueUsd: 20,
  tags: ['saas', 'ai'],
});
const P2 = company({ name: 'P2', industry: 'fintech', region: 'Europe', revenueUsd: 30, tags: ['payments'] });
const P3 = company({
  name: 'P3',
  industry: 'software',
  region: 'North America',
  revenueUsd: 1000,
  tags: ['saas'],
});
const H = company({ name: 'H', industry: 'fintech', region: 'Europe', revenueUsd: 500, tags: [] });
const partnerTenant: TenantData = {
  companies: [X, P1, P2, P3, H],
  edges: [edge(X, H, 1), edge(P1, H, 1), edge(X, P2, 0.25)],
  documents: [],
  version: 'partners-v1',
};

describe('partners and influence on the ecosystem graph', () => {
  let search: SearchStandIn;
  let ai: AiHarness;
  const headers = () => internalHeaders({ tenantId: 'org_eco' });

  beforeAll(async () => {
    search = await startSearchStandIn({ org_eco: influenceTenant, org_partners: partnerTenant });
    ai = await startAi({ searchUrl: search.url });
  });
  afterAll(async () => {
    await ai.close();
    await search.close();
  });

  it('ranks PageRank, finds the betweenness broker, communities and the strongest warm path', async () => {
    const response = await ai.app.inject({
      method: 'GET',
      url: `/v1/ai/companies/${A!.id}/influence?depth=4&to=${G!.id}`,
      headers: await headers(),
    });
    expect(response.statusCode).toBe(200);
    const map = InfluenceMapSchema.parse(response.json());
    const name = (id: string) => influenceTenant.companies.find((c) => c.id === id)!.name;
    const byRank = map.nodes.map((n) => name(n.companyId));
    expect(byRank.slice(0, 2)).toEqual(['D', 'C']);
    expect(byRank.at(-1)).toBe('G');
    expect(name(map.brokers[0]!.companyId)).toBe('D');
    expect(name(map.brokers[1]!.companyId)).toBe('C');
    const community = Object.fromEntries(map.nodes.map((n) => [name(n.companyId), n.community]));
    expect(community.A).toBe(community.B);
    expect(community.A).toBe(community.C);
    expect(community.D).toBe(community.E);
    expect(community.E).toBe(community.F);
    expect(community.A).not.toBe(community.E);
    // The strongest introduction is A→C→D→G (0.9·0.5·0.8), not the weak direct tie (0.2).
    expect(map.warmPaths.map((p) => [p.path.map(name).join(''), p.strength])).toEqual([
      ['ACDG', 0.36],
      ['ABCDG', 0.324],
      ['AG', 0.2],
    ]);
  });

  it('answers 404 for a company of another tenant', async () => {
    const response = await ai.app.inject({
      method: 'GET',
      url: `/v1/ai/companies/${X.id}/influence`,
      headers: await headers(),
    });
    expect(response.statusCode).toBe(404);
  });

  it('scores partners factor by factor as computed by hand, and ranks them', async () => {
    const response = await ai.app.inject({
      method: 'POST',
      url: '/v1/ai/partners/find',
      headers: await internalHeaders({
        tenantId: 'org_partners',
        userId: 'user_p',
        requestId: 'req-partners-1',
      }),
      payload: { companyId: X.id, goal: 'acquisition', limit: 10 },
    });
    expect(response.statusCode).toBe(200);
    const result = PartnerResultsSchema.parse(response.json());
    const by = Object.fromEntries(result.candidates.map((c) => [c.name, c]));
    // Ranked by score (the order follows the fitted model, partners.acquisition-model.ts).
    const scores = result.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(result.candidates.map((c) => c.name).sort()).toEqual(['H', 'P1', 'P2', 'P3']);
    // PageRank of X's neighbourhood as search-service returns it (P3 is not connected, so not in it).
    const pr = pagerankOf(buildGraph({ nodes: [X, P1, P2, H], edges: partnerTenant.edges }));
    const maxPr = Math.max(...Object.values(pr));
    const expected = {
      P1: { strategicFit: 1, sectorComplementarity: 1, sizeFit: 1, geographicFit: 1, networkProximity: 0.5 },
      P2: {
        strategicFit: 0.2887,
        sectorComplementarity: 0.42,
        sizeFit: 1,
        geographicFit: 1,
        networkProximity: 0.175,
      },
      H: {
        strategicFit: 0.3536,
        sectorComplementarity: 0.42,
        sizeFit: 0,
        geographicFit: 1,
        networkProximity: 0.7,
      },
      P3: {
        strategicFit: 0.5774,
        sectorComplementarity: 0.85,
        sizeFit: 0,
        geographicFit: 0.2,
        networkProximity: 0,
      },
    };
    // H has no tags: its tag overlap is unknown, and an unknown factor adds nothing to the score.
    expect(by.H!.evidence.unknown).toEqual(['tagOverlap']);
    expect(by.P1!.evidence.sharedTags).toEqual(['saas', 'ai']);
    expect(by.P1!.factors.tagOverlap).toBe(1);
    for (const [label, factors] of Object.entries(expected)) {
      const candidate = by[label]!;
      for (const [factor, value] of Object.entries(factors))
        expect(candidate.factors[factor as keyof typeof factors], `${label}.${factor}`).toBeCloseTo(value, 4);
      const id = candidate.companyId;
      expect(candidate.factors.influence).toBeCloseTo((pr[id] ?? 0) / maxPr, 4);
      const f = candidate.factors;
      const unknown = new Set(candidate.evidence.unknown);
      const logit = ACQUISITION_MODEL.features
        .filter((m) => !unknown.has(m.factor))
        .reduce((sum, m) => sum + (m.weight * (f[m.factor] - m.mean)) / m.scale, ACQUISITION_MODEL.intercept);
      expect(candidate.score).toBeCloseTo(1 / (1 + Math.exp(-logit)), 5);
      expect(candidate.rationale).toContain(label);
      expect(candidate.rationale).toContain(`Text similarity ${f.textSimilarity.toFixed(2)}`);
    }
    expect(by.P1!.rationale).toContain('network path: X → H → P1');
    expect(by.P3!.rationale).toContain('network path: none');
    const audit = await withTenant(ai.db, 'org_partners', (trx) =>
      trx.selectFrom('ai.audit_log').selectAll().where('request_id', '=', 'req-partners-1').execute(),
    );
    expect(audit).toMatchObject([
      {
        tenant_id: 'org_partners',
        actor: 'user_p',
        action: 'partners.find',
        target: X.id,
        details: { goal: 'acquisition', candidates: 4, cached: false },
      },
    ]);
  });

  it('caches by graph version and recomputes when the graph changes', async () => {
    const request = {
      method: 'POST' as const,
      url: '/v1/ai/partners/find',
      payload: { companyId: X.id, goal: 'partnership' },
    };
    const first = await ai.app.inject({
      ...request,
      headers: await internalHeaders({ tenantId: 'org_partners' }),
    });
    const second = await ai.app.inject({
      ...request,
      headers: await internalHeaders({ tenantId: 'org_partners' }),
    });
    expect([first.json().cached, second.json().cached]).toEqual([false, true]);
    partnerTenant.edges.push(edge(X, P3, 0.9));
    partnerTenant.version = 'partners-v2';
    const third = await ai.app.inject({
      ...request,
      headers: await internalHeaders({ tenantId: 'org_partners' }),
    });
    expect(third.json().cached).toBe(false);
    const p3 = third.json().candidates.find((c: { name: string }) => c.name === 'P3');
    expect(p3.factors.networkProximity).toBeGreaterThan(0);
  });
});
