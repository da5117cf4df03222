import { readFileSync } from 'node:fs';

/** A company of the demo ecosystem; `ref` is its stable externalId. */
export type DemoCompany = {
  ref: string;
  name: string;
  industry: string;
  region: string;
  employees: number;
  revenueUsd: number;
  tags: string[];
  founded: number;
  hq: string;
  description: string;
};

const COLUMNS = [
  'ref',
  'name',
  'industry',
  'region',
  'employees',
  'revenue_usd_m',
  'tags',
  'founded',
  'hq',
  'description',
] as const;

/**
 * Parses `companies.tsv` (the data: one company per line, tab-separated, a header naming COLUMNS;
 * revenue in USD millions, tags comma-separated). Throws on a malformed line, naming it.
 */
export function parseCompanies(text: string): DemoCompany[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  if (header !== COLUMNS.join('\t')) throw new Error(`companies.tsv: header must be ${COLUMNS.join(', ')}`);
  return lines.map((line, i) => {
    const cells = line.split('\t');
    if (cells.length !== COLUMNS.length) {
      throw new Error(`companies.tsv line ${i + 2}: ${cells.length} cells, expected ${COLUMNS.length}`);
    }
    const [ref, name, industry, region, employees, revenueM, tags, founded, hq, description] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      ref,
      name,
      industry,
      region,
      employees: Number(employees),
      revenueUsd: Number(revenueM) * 1_000_000,
      tags: tags.split(','),
      founded: Number(founded),
      hq,
      description,
    };
  });
}

export const COMPANIES: DemoCompany[] = parseCompanies(
  readFileSync(new URL('./companies.tsv', import.meta.url), 'utf8'),
);
