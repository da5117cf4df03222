import type { Company, Graph, Relationship } from '@mna/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from './fixtures.js';
import { eventually, useHarness } from './harness.js';

const T = 'org_companies';
const h = useHarness();
const id: Record<string, string> = {};

async function company(ref: string, name: string, description: string, industry: string, tags: string[]) {
  const res = await call(h, 'POST', '/v1/companies', T, {
    externalId: ref,
    name,
    description,
    industry,
    tags,
  });
  expect(res.statusCode).toBe(201);
  id[ref] = (res.json() as Company).id;
}
const edge = async (from: string, to: string, kind: string, strength = 0.5) => {
  const res = await call(h, 'POST', '/v1/relationships', T, {
    fromCompanyId: id[from],
    toCompanyId: id[to],
    kind,
    strength,
  });
  expect(res.statusCode).toBe(201);
  return res.json() as Relationship;
};

beforeAll(async () => {
  h.startWorker();
  await company('sol1', 'Helios Solar', 'utility-scale solar parks and photovoltaic power', 'energy', [
    'solar',
  ]);
  await company('sol2', 'SolAndes', 'solar parks and photovoltaic power plants in the desert', 'energy', [
    'solar',
  ]);
  await company('bank', 'Ledgerly', 'bookkeeping software for small businesses', 'fintech', ['accounting']);
  await company('fund', 'Sunfund', 'infrastructure fund', 'finance', []);
  await eventually(async () => {
    const all = await Promise.all(
      Object.values(id).map(
        async (i) => ((await call(h, 'GET', `/v1/companies/${i}`, T)).json() as Company).embeddingStatus,
      ),
    );
    return all.every((s) => s === 'indexed');
  });
});

describe('companies', () => {
  it('similar ranks the nearest profile first and never returns the company itself', async () => {
    const res = (await call(h, 'GET', `/v1/companies/${id.sol1}/similar?limit=3`, T)).json() as {
      companies: Array<{ company: Company; similarity: number }>;
    };
    expect(res.companies.map((c) => c.company.id)).not.toContain(id.sol1);
    expect(res.companies[0]?.company.id).toBe(id.sol2);
    expect(res.companies[0]!.similarity).toBeGreaterThan(res.companies[1]!.similarity);
  });

  it('upserts by externalId and re-embeds only when the profile changes', async () => {
    const same = (
      await call(h, 'POST', '/v1/companies', T, {
        externalId: 'bank',
        name: 'Ledgerly',
        description: 'bookkeeping software for small businesses',
        industry: 'fintech',
        tags: ['accounting'],
        employees: 300,
      })
    ).json() as Company;
    expect(same.id).toBe(id.bank);
    expect(same.embeddingStatus).toBe('indexed');
    expect(same.employees).toBe(300);
    const changed = (
      await call(h, 'POST', '/v1/companies', T, {
        externalId: 'bank',
        name: 'Ledgerly',
        description: 'open banking and cash management',
        industry: 'fintech',
      })
    ).json() as Company;
    expect(changed.id).toBe(id.bank);
    expect(changed.embeddingStatus).toBe('queued');
    await eventually(
      async () =>
        ((await call(h, 'GET', `/v1/companies/${id.bank}`, T)).json() as Company).embeddingStatus ===
        'indexed',
    );
  });

  it('lists relationships by direction and kind, and upserts an edge by (from, to, kind)', async () => {
    const first = await edge('fund', 'sol1', 'investor', 0.6);
    const again = await edge('fund', 'sol1', 'investor', 0.9);
    expect(again.id).toBe(first.id);
    expect(again.strength).toBe(0.9);
    await edge('sol1', 'sol2', 'partner');
    const list = async (qs: string) =>
      (
        (await call(h, 'GET', `/v1/companies/${id.sol1}/relationships${qs}`, T)).json() as {
          relationships: Relationship[];
        }
      ).relationships;
    expect((await list('')).length).toBe(2);
    expect((await list('?direction=in')).map((r) => r.fromCompanyId)).toEqual([id.fund]);
    expect((await list('?direction=out')).map((r) => r.toCompanyId)).toEqual([id.sol2]);
    expect((await list('?kind=partner')).map((r) => r.kind)).toEqual(['partner']);
  });

  it('the internal graph is bounded by depth and its version changes with every write', async () => {
    await edge('sol2', 'bank', 'customer');
    const graph = async (qs: string) => (await call(h, 'GET', `/internal/graph${qs}`, T)).json() as Graph;
    const one = await graph(`?companyId=${id.fund}&depth=1`);
    expect(one.nodes.map((n) => n.id).sort()).toEqual([id.fund, id.sol1].sort());
    expect(one.edges).toHaveLength(1);
    const two = await graph(`?companyId=${id.fund}&depth=2`);
    expect(two.nodes.map((n) => n.id).sort()).toEqual([id.fund, id.sol1, id.sol2].sort());
    const all = await graph('');
    expect(all.nodes).toHaveLength(4);
    expect(all.edges).toHaveLength(3);
    expect(all.edges.every((e) => e.strength >= 0 && e.strength <= 1)).toBe(true);
    const capped = await graph(`?companyId=${id.fund}&depth=3&maxNodes=2`);
    expect(capped.nodes).toHaveLength(2);
    await edge('fund', 'bank', 'board', 0.9);
    expect((await graph('')).version).not.toBe(all.version);
    expect((await graph('')).version).toBe((await graph('')).version);
  });
});
