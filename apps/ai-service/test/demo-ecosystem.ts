import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Company, Relationship } from '@mna/shared';
import { COMPANIES } from '../../../scripts/demo/companies.js';
import { buildCorpus } from '../../../scripts/demo/corpus.js';
import { PARTNERSHIPS, SUPPLIES } from '../../../scripts/demo/deals.js';
import type { Ecosystem } from './labelled-pairs.js';

const uuidOf = (text: string) => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const now = '2026-11-01T00:00:00.000Z';

/** The demo ecosystem of scripts/demo (companies and every relationship the seed creates) as contract shapes. */
export function demoEcosystem(): Ecosystem & { byRef: Map<string, Company> } {
  const companies: Company[] = COMPANIES.map((c) => ({
    id: uuidOf(c.ref),
    externalId: c.ref,
    name: c.name,
    description: c.description,
    industry: c.industry,
    region: c.region,
    employees: c.employees,
    revenueUsd: c.revenueUsd,
    tags: c.tags,
    embeddingStatus: 'indexed',
    createdAt: now,
    updatedAt: now,
  }));
  const byRef = new Map(companies.map((c) => [c.externalId!, c]));
  const edges: Relationship[] = buildCorpus().relationships.map((r, i) => ({
    id: uuidOf(`edge-${i}-${r.from}-${r.to}`),
    fromCompanyId: byRef.get(r.from)!.id,
    toCompanyId: byRef.get(r.to)!.id,
    kind: r.kind,
    strength: r.strength,
    source: r.source,
    since: null,
    createdAt: now,
  }));
  return { companies, edges, byRef };
}

/** The demo's commercial ties (partnerships and supply agreements): the compatible pairs. */
export function demoCommercialTies(byRef: Map<string, Company>) {
  return [...PARTNERSHIPS, ...SUPPLIES].map(([a, b]) => [byRef.get(a)!, byRef.get(b)!] as const);
}

export type DemoLabel = {
  a: Company;
  b: Company;
  compatible: boolean;
  /** partnership / supply (a real tie in deals.ts, possibly both) or judged (no tie: labelled by rationale). */
  basis: string;
  rationale: string;
};

/** The hand-labelled pairs of `labelled-pairs.tsv` (see its header for how they were made). */
export function demoLabels(byRef: Map<string, Company>): DemoLabel[] {
  const text = readFileSync(new URL('./labelled-pairs.tsv', import.meta.url), 'utf8');
  const [header, ...rows] = text.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
  if (header !== 'a\tb\tlabel\tbasis\trationale') throw new Error('labelled-pairs.tsv: unexpected header');
  return rows.map((row, i) => {
    const [a, b, label, basis, rationale] = row.split('\t');
    const [first, second] = [byRef.get(a ?? ''), byRef.get(b ?? '')];
    if (!first || !second || (label !== 'compatible' && label !== 'incompatible') || !basis || !rationale) {
      throw new Error(`labelled-pairs.tsv row ${i + 1}: malformed (${row})`);
    }
    return { a: first, b: second, compatible: label === 'compatible', basis, rationale };
  });
}
