import type { DocumentInput } from '@mna/shared';
import { internalHeaders } from '@mna/testing';
import type { Harness } from './harness.js';

const SECTORS = ['logistics', 'fintech', 'healthcare', 'energy', 'retail', 'software', 'mining', 'media'];
const WORDS = (
  'acquisition merger valuation synergy revenue margin growth platform customer supplier contract ' +
  'regulation market share integration buyout carve-out divestiture earnout diligence leverage debt ' +
  'equity board investor pipeline product warehouse freight payments clinic hospital solar wind grid ' +
  'store ecommerce cloud security analytics copper lithium streaming advertising subscription'
).split(' ');

/** A deterministic pseudo-random generator, so fixtures are identical on every run. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Synthetic documents whose text varies enough to spread their embeddings. */
export function syntheticDocuments(
  count: number,
  options: { seed?: number; prefix?: string; rareEvery?: number } = {},
): DocumentInput[] {
  const random = rng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const sector = SECTORS[i % SECTORS.length]!;
    const words = Array.from({ length: 40 }, () => pick(WORDS)).join(' ');
    const rare = options.rareEvery !== undefined && i % options.rareEvery === 0;
    return {
      externalId: `${options.prefix ?? 'doc'}-${i}`,
      kind: pick(['deal_memo', 'news', 'note', 'cim', 'company_profile'] as const),
      title: `${sector} report ${i}`,
      content: `A ${sector} company considers ${words}. Paragraph ${i} ends here.`,
      metadata: {
        industry: rare ? 'Rare Earths' : sector,
        region: pick(['EMEA', 'NA', 'APAC', 'LATAM']),
        dealSizeUsd: Math.round(random() * 1_000_000_000),
        tags: [sector, pick(WORDS)],
        publishedAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString(),
      },
    };
  });
}

/** POST helper carrying a tenant's internal token. */
export async function call(
  h: Harness,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  tenantId: string,
  payload?: unknown,
) {
  return h.app.inject({
    method,
    url,
    headers: await internalHeaders({ tenantId }),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

/** Ingests documents in bulk calls of up to 1000. */
export async function ingestAll(h: Harness, tenantId: string, docs: DocumentInput[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < docs.length; i += 1000) {
    const res = await call(h, 'POST', '/v1/documents/bulk', tenantId, { documents: docs.slice(i, i + 1000) });
    if (res.statusCode !== 202) throw new Error(`bulk ingest answered ${res.statusCode}: ${res.body}`);
    ids.push(...(res.json() as { ids: string[] }).ids);
  }
  return ids;
}
