// Writes the small committed sample the ai-service test runs on (apps/ai-service/test/acquisitions/
// crunchbase-sample.csv): every deal of SAMPLE_ACQUIRERS acquirers with 5–20 acquisitions, at least
// two of them by 2011 and one after (so both windows have ties and outcomes), chosen by the hash of
// their permalink, blind to how any ranker does on them.
// Run: cd bench && PARTNERS_CRUNCHBASE_CSV=/path/to/acquisitions.csv pnpm exec tsx partners/sample.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stableHash } from '../../apps/ai-service/test/acquisitions/crunchbase.js';

const SAMPLE_ACQUIRERS = 25;
const csvPath = process.env.PARTNERS_CRUNCHBASE_CSV;
if (!csvPath) throw new Error('Set PARTNERS_CRUNCHBASE_CSV to the CrunchBase acquisitions.csv.');
const text = readFileSync(csvPath, 'utf8');
const header = text.slice(0, text.indexOf('\n'));
// raw: each record's own text, quotes and line breaks included, to write it back as it stands.
const parsed = parse(text, { columns: false, from_line: 2, raw: true }) as unknown as Array<{
  record: string[];
  raw: string;
}>;
const rows = parsed.map((p) => p.record);
const byAcquirer = new Map<string, number[]>();
for (const [i, r] of rows.entries()) byAcquirer.set(r[7]!, [...(byAcquirer.get(r[7]!) ?? []), i]);
const yearOf = (i: number) => Number(rows[i]![14]!.slice(0, 4));
const chosen = [...byAcquirer]
  .filter(([, is]) => is.length >= 5 && is.length <= 20)
  .filter(([, is]) => is.filter((i) => yearOf(i) <= 2011).length >= 2 && is.some((i) => yearOf(i) > 2011))
  .sort((a, b) => (stableHash(a[0]) < stableHash(b[0]) ? -1 : 1))
  .slice(0, SAMPLE_ACQUIRERS);
const picked = chosen.flatMap(([, is]) => is).sort((a, b) => a - b);
writeFileSync(
  new URL('../../apps/ai-service/test/acquisitions/crunchbase-sample.csv', import.meta.url),
  [
    '# CrunchBase 2015-12 export (acquisitions.csv) via github.com/notpeter/crunchbase-data,',
    '# licensed CC-BY-NC 4.0 (https://creativecommons.org/licenses/by-nc/4.0/). Evaluation use only.',
    `# ${picked.length} rows: every deal of ${chosen.length} acquirers chosen by bench/partners/sample.ts.`,
    header,
    ...picked.map((i) => parsed[i]!.raw.replace(/\r?\n$/, '')),
    '',
  ].join('\n'),
);
console.log(`${picked.length} rows of ${chosen.length} acquirers`);
