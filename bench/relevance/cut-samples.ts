import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Collection } from './collection.js';
import { loadCranfield } from './cranfield.js';
import { companyCollection, loadCrunchbase } from './crunchbase.js';
import { SAMPLES } from './harness.js';

// Cuts the committed samples (samples/README.md) from the full data sets, deterministically:
//   RELEVANCE_CRANFIELD_DIR=… RELEVANCE_CRUNCHBASE_CSV=… pnpm exec tsx bench/relevance/cut-samples.ts
const CRANFIELD_QUERIES = 22;
const CRANFIELD_OTHER_DOCUMENTS = 40;
const COMPANIES = 280;

const { RELEVANCE_CRANFIELD_DIR: cranfieldDir, RELEVANCE_CRUNCHBASE_CSV: crunchbaseCsv } = process.env;
if (!cranfieldDir || !crunchbaseCsv)
  throw new Error('set RELEVANCE_CRANFIELD_DIR and RELEVANCE_CRUNCHBASE_CSV');

/** Items in the order of a hash of their key: a fixed order no one picked. */
const byHash = <T>(items: T[], key: (item: T) => string) =>
  items
    .map((item) => [createHash('sha256').update(key(item)).digest('hex'), item] as const)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, item]) => item);

// Cranfield: the first queries in hash order, every document they judge, and other documents in hash order.
const cranfield = await loadCranfield(cranfieldDir);
const queries = byHash(cranfield.queries, (q) => `cranfield:${q.id}`).slice(0, CRANFIELD_QUERIES);
const judged = new Set(queries.flatMap((q) => Object.keys(q.relevant)));
const others = byHash(
  cranfield.documents.filter((d) => !judged.has(d.externalId)),
  (d) => d.externalId,
).slice(0, CRANFIELD_OTHER_DOCUMENTS);
const keep = new Set([...judged, ...others.map((d) => d.externalId)]);
await save(SAMPLES.cranfield, {
  name: 'cranfield',
  documents: cranfield.documents.filter((d) => keep.has(d.externalId)),
  queries,
});

// CrunchBase: the first companies in hash order of the full set; queries recomputed over them.
const companies = await loadCrunchbase(crunchbaseCsv);
const sample = byHash(companies.documents, (d) => d.externalId).slice(0, COMPANIES);
await save(SAMPLES.crunchbase, companyCollection(sample));

async function save(path: string, collection: Collection) {
  const json = JSON.stringify(collection);
  await writeFile(path, `${json}\n`);
  console.log(
    `${path}: ${collection.documents.length} documents, ${collection.queries.length} queries, ${(json.length / 1024).toFixed(0)} KiB`,
  );
}
