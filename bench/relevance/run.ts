import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machine } from '../search/setup.js';
import { type Collection, readCollectionFile } from './collection.js';
import { loadCranfield } from './cranfield.js';
import { DEFAULT_MIN_ACQUISITIONS, loadCrunchbase } from './crunchbase.js';
import { formatReport } from './evaluate.js';
import { runHarness, SAMPLES } from './harness.js';
import type { Variant } from './platform.js';

// The relevance harness (README.md beside this file). Full data sets from the environment; a data
// set whose variable is unset is replaced by its committed sample.
//   RELEVANCE_CRANFIELD_DIR=… RELEVANCE_CRUNCHBASE_CSV=… pnpm exec tsx bench/relevance/run.ts
// Optional: RELEVANCE_CRUNCHBASE_MIN_ACQUISITIONS (default 35), RELEVANCE_COLLECTIONS=cranfield,crunchbase,
// RELEVANCE_VARIANTS='{"label":{"mode":"hybrid",…}}' (extra request variants), RELEVANCE_OUT (JSON path; default in the temp dir).
const env = process.env;
const wanted = (env.RELEVANCE_COLLECTIONS ?? 'cranfield,crunchbase').split(',').map((s) => s.trim());
const minAcquisitions = Number(env.RELEVANCE_CRUNCHBASE_MIN_ACQUISITIONS ?? DEFAULT_MIN_ACQUISITIONS);
const sources: Record<string, string> = {};
const collections: Collection[] = [];
if (wanted.includes('cranfield')) {
  const dir = env.RELEVANCE_CRANFIELD_DIR;
  sources.cranfield = dir ? `full, ${dir}` : `sample, ${SAMPLES.cranfield}`;
  collections.push(dir ? await loadCranfield(dir) : await readCollectionFile(SAMPLES.cranfield));
}
if (wanted.includes('crunchbase')) {
  const csv = env.RELEVANCE_CRUNCHBASE_CSV;
  sources.crunchbase = csv
    ? `full, ${csv}, acquirers with >= ${minAcquisitions} acquisitions`
    : `sample, ${SAMPLES.crunchbase}`;
  collections.push(
    csv ? await loadCrunchbase(csv, minAcquisitions) : await readCollectionFile(SAMPLES.crunchbase),
  );
}
const extraVariants: Variant[] = Object.entries(
  JSON.parse(env.RELEVANCE_VARIANTS ?? '{}') as Record<string, Variant['body']>,
).map(([label, body]) => ({ label, body }));

const started = new Date().toISOString();
const { variants, reports } = await runHarness({ collections, extraVariants, log: (l) => console.error(l) });
const header = `relevance harness, ${started}, ${await machine()}, embedder: ${env.OPENAI_API_KEY ? 'OpenAI' : 'local (embedded default)'}`;
console.log(`${header}\n`);
for (const report of reports) console.log(`${formatReport(report)}\n(data: ${sources[report.collection]})\n`);
const out = resolve(env.RELEVANCE_OUT ?? join(tmpdir(), `relevance-${started.replace(/[:.]/g, '-')}.json`));
await writeFile(
  out,
  JSON.stringify({ started, machine: await machine(), sources, variants, reports }, null, 2),
);
console.log(`results: ${out}`);
