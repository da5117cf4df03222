import { readFile } from 'node:fs/promises';
import type { DocumentInput } from '@mna/shared';
import { parse } from 'csv-parse/sync';
import type { Collection } from './collection.js';

/** The acquirer threshold that gives ~1,300 companies (1,317 companies of 20 acquirers, 2015-12 export). */
export const DEFAULT_MIN_ACQUISITIONS = 35;
/** A category becomes a query when at least this many companies carry it. */
export const MIN_COMPANIES_PER_CATEGORY = 5;

type Acquisition = Record<
  | 'company_permalink'
  | 'company_name'
  | 'company_category_list'
  | 'company_country_code'
  | 'company_region'
  | 'company_city'
  | 'acquirer_permalink'
  | 'acquirer_name'
  | 'acquired_at'
  | 'price_amount'
  | 'price_currency_code',
  string
>;

/**
 * Company profiles from CrunchBase's acquisitions.csv (2015-12 export, github.com/notpeter/crunchbase-data,
 * CC-BY-NC 4.0): each distinct acquired company that has market categories and was bought by an
 * acquirer with at least `minAcquisitions` acquisitions in the file (its earliest such acquisition),
 * filed as a `company_profile` the way a user would: its name as title, a sentence from the record's
 * own fields (place, acquirer, year, price) that does not name the categories, and the categories as
 * tags, the first as industry, the country as region. Queries: "<category> companies" for every
 * category at least MIN_COMPANIES_PER_CATEGORY companies carry; relevant: the companies carrying it.
 */
export async function loadCrunchbase(
  csvPath: string,
  minAcquisitions = DEFAULT_MIN_ACQUISITIONS,
): Promise<Collection> {
  const rows = parse(await readFile(csvPath, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Acquisition[];
  const deals = new Map<string, number>();
  for (const r of rows) deals.set(r.acquirer_permalink, (deals.get(r.acquirer_permalink) ?? 0) + 1);
  const chosen = new Map<string, Acquisition>();
  for (const r of rows) {
    if (!r.company_category_list.trim() || (deals.get(r.acquirer_permalink) ?? 0) < minAcquisitions) continue;
    const seen = chosen.get(r.company_permalink);
    if (!seen || r.acquired_at < seen.acquired_at) chosen.set(r.company_permalink, r);
  }
  return companyCollection([...chosen.values()].map(companyProfile));
}

/** The labelled collection over company profiles: one query per category enough companies carry. */
export function companyCollection(documents: DocumentInput[]): Collection {
  const holders = new Map<string, string[]>();
  for (const d of documents)
    for (const tag of d.metadata?.tags ?? []) holders.set(tag, [...(holders.get(tag) ?? []), d.externalId]);
  const queries = [...holders]
    .filter(([, ids]) => ids.length >= MIN_COMPANIES_PER_CATEGORY)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, ids]) => ({
      id: category,
      text: `${category} companies`,
      relevant: Object.fromEntries(ids.map((id) => [id, 1])),
    }));
  return { name: 'crunchbase', documents, queries };
}

function companyProfile(r: Acquisition): DocumentInput {
  const name = r.company_name.trim() || r.company_permalink;
  const categories = [...new Set(r.company_category_list.split('|').map((c) => c.trim().slice(0, 64)))]
    .filter(Boolean)
    .slice(0, 50);
  const place = [
    ...new Set([r.company_city, r.company_region, r.company_country_code].filter((p) => p.trim())),
  ];
  const price = Number(r.price_amount)
    ? ` for ${Number(r.price_amount).toLocaleString('en-US')} ${r.price_currency_code || 'USD'}`
    : '';
  const year = r.acquired_at.slice(0, 4);
  const content =
    `${name}${place.length ? `, based in ${place.join(', ')},` : ''} was acquired by ${r.acquirer_name}` +
    `${year ? ` in ${year}` : ''}${price}.`;
  const region = r.company_country_code.trim() || r.company_region.trim();
  return {
    externalId: `cb-${r.company_permalink.replace(/^\/organization\//, '')}`.slice(0, 200),
    kind: 'company_profile',
    title: name.slice(0, 500),
    content,
    metadata: { tags: categories, industry: categories[0], ...(region ? { region } : {}) },
  };
}
