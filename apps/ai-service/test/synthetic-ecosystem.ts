import type { Company, Relationship } from '@mna/shared';
import { seededRandom } from '../src/modules/ecosystem/centrality.js';

/** Sectors with their tag vocabulary and the sectors they partner with (value chains). */
const SECTORS: Record<string, { tags: string[]; partners: string[] }> = {
  software: {
    tags: ['saas', 'cloud', 'ai', 'analytics', 'devtools'],
    partners: ['fintech', 'healthcare', 'logistics'],
  },
  fintech: { tags: ['payments', 'lending', 'regtech', 'banking'], partners: ['software', 'consumer'] },
  healthcare: { tags: ['medtech', 'diagnostics', 'pharma', 'clinics'], partners: ['software'] },
  industrials: { tags: ['machinery', 'automation', 'aerospace'], partners: ['logistics', 'energy'] },
  logistics: {
    tags: ['freight', 'warehousing', 'last-mile'],
    partners: ['industrials', 'consumer', 'software'],
  },
  energy: { tags: ['solar', 'grid', 'storage', 'oil'], partners: ['industrials'] },
  consumer: {
    tags: ['retail', 'e-commerce', 'food', 'apparel'],
    partners: ['logistics', 'fintech', 'media'],
  },
  media: { tags: ['advertising', 'publishing', 'streaming'], partners: ['consumer'] },
};
const REGIONS = ['Europe', 'North America', 'Asia', 'Latin America'];
const KINDS: Relationship['kind'][] = ['partner', 'supplier', 'customer', 'investor', 'advisor'];

const uuidFrom = (random: () => number) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export type SyntheticEcosystem = { companies: Company[]; edges: Relationship[] };

/**
 * A reproducible ecosystem: companies with sector, region, size and tags; ties formed mostly between
 * companies of the same region in the same or a partnering sector, often closing triangles
 * (introductions through a common contact), with a share of random ties as noise.
 */
export function syntheticEcosystem(options: {
  companies: number;
  edges: number;
  seed: number;
  noise?: number;
}) {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const sectors = Object.keys(SECTORS);
  const now = '2026-11-01T00:00:00.000Z';
  const companies: Company[] = Array.from({ length: options.companies }, (_, i) => {
    const industry = pick(sectors);
    const vocabulary = SECTORS[industry]!.tags;
    const tags = [...new Set([pick(vocabulary), pick(vocabulary)])];
    const revenueUsd = Math.round(10 ** (6 + random() * 3));
    return {
      id: uuidFrom(random),
      externalId: `syn-${options.seed}-${i}`,
      name: `${industry}-${i}`,
      description: '',
      industry,
      region: pick(REGIONS),
      employees: Math.max(5, Math.round(revenueUsd / 150_000)),
      revenueUsd,
      tags,
      embeddingStatus: 'indexed',
      createdAt: now,
      updatedAt: now,
    };
  });
  const byKey = new Map<string, Company[]>();
  for (const c of companies)
    byKey.set(`${c.industry}|${c.region}`, [...(byKey.get(`${c.industry}|${c.region}`) ?? []), c]);
  const neighbours = new Map<string, string[]>();
  const seen = new Set<string>();
  const edges: Relationship[] = [];
  const add = (a: Company, b: Company) => {
    const key = a.id < b.id ? `${a.id}|${b.id}` : `${b.id}|${a.id}`;
    if (a.id === b.id || seen.has(key)) return;
    seen.add(key);
    neighbours.set(a.id, [...(neighbours.get(a.id) ?? []), b.id]);
    neighbours.set(b.id, [...(neighbours.get(b.id) ?? []), a.id]);
    edges.push({
      id: uuidFrom(random),
      fromCompanyId: a.id,
      toCompanyId: b.id,
      kind: pick(KINDS),
      strength: Math.round((0.3 + random() * 0.7) * 100) / 100,
      source: 'synthetic',
      since: null,
      createdAt: now,
    });
  };
  const index = new Map(companies.map((c) => [c.id, c]));
  const noise = options.noise ?? 0.15;
  for (let guard = 0; edges.length < options.edges && guard < options.edges * 20; guard++) {
    const a = pick(companies);
    const r = random();
    if (r < noise) add(a, pick(companies));
    else if (r < noise + 0.3 && (neighbours.get(a.id)?.length ?? 0) > 0) {
      const via = neighbours.get(pick(neighbours.get(a.id)!))!;
      const b = index.get(pick(via))!;
      if (b.region === a.region) add(a, b);
    } else {
      const sector = random() < 0.4 ? a.industry! : pick(SECTORS[a.industry!]!.partners);
      const pool = byKey.get(`${sector}|${a.region}`) ?? [];
      if (pool.length > 0) add(a, pick(pool));
    }
  }
  return { companies, edges } satisfies SyntheticEcosystem;
}
