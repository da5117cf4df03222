import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localEmbedding } from '../../apps/search-service/src/modules/embeddings/local-embedder.js';
import {
  type LocalIdfOptions,
  localIdfEmbedding,
  tokenizeStemmed,
} from '../../apps/search-service/src/modules/embeddings/local-idf-embedder.js';

// Quality of the local embedders alone (exact cosine, in memory, one vector per document), against a
// plain TF-IDF cosine with corpus IDF and its RRF fusion with each embedder, on two public sets:
//   CrunchBase acquisitions (CRUNCHBASE_CSV): acquired companies' profiles, queries "<category> companies",
//     relevant = carries that category; categories split by hash into dev (tuned on) and held-out.
//   Cranfield (CRANFIELD_DIR): 1400 abstracts, 225 queries, graded judgments; odd/even queries split.
//   CRUNCHBASE_CSV=… CRANFIELD_DIR=… pnpm exec tsx bench/search/embedder-relevance.ts
const K = 10;

type Doc = { id: string; text: string };
type Query = { text: string; relevant: Map<string, number>; split: 'dev' | 'held-out' };
type Set = { name: string; docs: Doc[]; queries: Query[] };

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else if (ch !== '\r') field += ch;
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

const bucket = (s: string) => createHash('sha256').update(s).digest()[0]! % 2;

function crunchbase(path: string): Set {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const col = (name: string) => header!.indexOf(name);
  const seen = new Set<string>();
  const docs: Array<Doc & { categories: string[] }> = [];
  for (const r of rows) {
    const categories = (r[col('company_category_list')] ?? '').split('|').filter(Boolean);
    const id = r[col('company_permalink')]!;
    if (categories.length === 0 || seen.has(id)) continue;
    seen.add(id);
    const place = [r[col('company_city')], r[col('company_region')], r[col('company_country_code')]].filter(
      Boolean,
    );
    const text =
      `${r[col('company_name')]}. Markets: ${categories.join(', ')}. Based in ${place.join(', ')}. ` +
      `Acquired by ${r[col('acquirer_name')]} on ${r[col('acquired_at')]}.`;
    docs.push({ id, text, categories });
  }
  // A fixed sample of ~1,300 profiles (by hash of the permalink), like the set.
  const sample = docs
    .map((d) => ({ d, h: createHash('sha256').update(d.id).digest().readUInt32BE(0) }))
    .sort((a, b) => a.h - b.h)
    .slice(0, 1300)
    .map((x) => x.d);
  const byCategory = new Map<string, string[]>();
  for (const d of sample)
    for (const c of d.categories) byCategory.set(c, [...(byCategory.get(c) ?? []), d.id]);
  const queries = [...byCategory]
    .filter(([, ids]) => ids.length >= 5)
    .map(([c, ids]) => ({
      text: `${c} companies`,
      relevant: new Map(ids.map((id) => [id, 1])),
      split: bucket(c) === 0 ? ('dev' as const) : ('held-out' as const),
    }));
  return { name: 'crunchbase', docs: sample, queries };
}

function cranfield(dir: string): Set {
  const blocks = (file: string) =>
    readFileSync(join(dir, file), 'utf8')
      .split(/^\.I /m)
      .slice(1)
      .map((b) => b.replace(/^\d+\s*/, '').replace(/^\.[TABWM]\s*$/gm, ' '));
  const docs = blocks('cran.all.1400').map((text, i) => ({ id: String(i + 1), text }));
  const queries: Query[] = blocks('cran.qry').map((text, i) => ({
    text,
    relevant: new Map(),
    split: i % 2 === 0 ? 'dev' : 'held-out',
  }));
  for (const line of readFileSync(join(dir, 'cranqrel'), 'utf8').split('\n')) {
    const [q, d, g] = line.trim().split(/\s+/).map(Number);
    if (!q || !d || g === undefined || g < 1 || g > 4) continue;
    queries[q - 1]?.relevant.set(String(d), 5 - g);
  }
  return { name: 'cranfield', docs, queries: queries.filter((q) => q.relevant.size > 0) };
}

type Ranker = (query: string) => string[];

function tfidfRanker(docs: Doc[]): Ranker {
  const df = new Map<string, number>();
  const bags = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of tokenizeStemmed(d.text)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    return tf;
  });
  const idf = (t: string) => Math.log(docs.length / (df.get(t) ?? docs.length));
  const weigh = (tf: Map<string, number>) => {
    const v = new Map([...tf].map(([t, n]) => [t, (1 + Math.log(n)) * idf(t)]));
    const norm = Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0)) || 1;
    return new Map([...v].map(([t, x]) => [t, x / norm]));
  };
  const vectors = bags.map(weigh);
  return (query) => {
    const tf = new Map<string, number>();
    for (const t of tokenizeStemmed(query)) tf.set(t, (tf.get(t) ?? 0) + 1);
    const q = weigh(tf);
    return rank(docs, (i) => [...q].reduce((s, [t, x]) => s + x * (vectors[i]!.get(t) ?? 0), 0));
  };
}

function rank(docs: Doc[], score: (i: number) => number): string[] {
  return docs
    .map((d, i) => ({ id: d.id, s: score(i) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1))
    .slice(0, 100)
    .map((x) => x.id);
}

function vectorRanker(docs: Doc[], embed: (t: string) => number[]): Ranker {
  const vectors = docs.map((d) => Float32Array.from(embed(d.text)));
  return (query) => {
    const q = embed(query);
    return rank(docs, (i) => {
      let s = 0;
      const v = vectors[i]!;
      for (let j = 0; j < v.length; j++) s += v[j]! * q[j]!;
      return s + 1; // cosine may be negative; every document stays rankable
    });
  };
}

/** Reciprocal Rank Fusion, k = 60, of the top 100 of each. */
const rrf =
  (...rankers: Ranker[]): Ranker =>
  (query) => {
    const scores = new Map<string, number>();
    for (const r of rankers) {
      for (const [i, id] of r(query).entries()) scores.set(id, (scores.get(id) ?? 0) + 1 / (61 + i));
    }
    return [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
  };

function evaluate(ranker: Ranker, queries: Query[]) {
  let ndcg = 0;
  let p10 = 0;
  for (const q of queries) {
    const top = ranker(q.text).slice(0, K);
    const dcg = top.reduce((s, id, i) => s + (2 ** (q.relevant.get(id) ?? 0) - 1) / Math.log2(i + 2), 0);
    const ideal = [...q.relevant.values()]
      .sort((a, b) => b - a)
      .slice(0, K)
      .reduce((s, g, i) => s + (2 ** g - 1) / Math.log2(i + 2), 0);
    ndcg += dcg / ideal;
    p10 += top.filter((id) => q.relevant.has(id)).length / K;
  }
  return { ndcg: ndcg / queries.length, p10: p10 / queries.length };
}

const sets: Set[] = [];
if (process.env.CRUNCHBASE_CSV) sets.push(crunchbase(process.env.CRUNCHBASE_CSV));
if (process.env.CRANFIELD_DIR) sets.push(cranfield(process.env.CRANFIELD_DIR));
if (sets.length === 0) throw new Error('set CRUNCHBASE_CSV and/or CRANFIELD_DIR');

const variants: Array<[string, Partial<LocalIdfOptions>]> = JSON.parse(
  process.env.VARIANTS ??
    JSON.stringify([
      ['stem only (no idf, no bigrams, no char)', { idf: false, bigramWeight: 0, charWeight: 0 }],
      ['+ idf', { idf: true, bigramWeight: 0, charWeight: 0 }],
      ['+ idf + bigrams 0.5', { idf: true, bigramWeight: 0.5, charWeight: 0 }],
      ['+ idf + bigrams 0.5 + char 0.3 (local-idf-v2)', { idf: true, bigramWeight: 0.5, charWeight: 0.3 }],
      ['+ idf + char 0.3', { idf: true, bigramWeight: 0, charWeight: 0.3 }],
    ]),
);
const base: LocalIdfOptions = { idf: true, bigramWeight: 0.5, charWeight: 0.3, idfPower: 1 };

console.log(`| set | split | ranker | nDCG@10 | P@10 |\n|---|---|---|---|---|`);
for (const set of sets) {
  const tfidf = tfidfRanker(set.docs);
  const rankers: Array<[string, Ranker]> = [
    ['TF-IDF (corpus IDF, baseline)', tfidf],
    ['local-hash-v1', vectorRanker(set.docs, localEmbedding)],
    ['RRF(TF-IDF, local-hash-v1)', rrf(tfidf, vectorRanker(set.docs, localEmbedding))],
  ];
  for (const [name, opts] of variants) {
    const r = vectorRanker(set.docs, (t) => localIdfEmbedding(t, { ...base, ...opts }));
    rankers.push([name, r], [`RRF(TF-IDF, ${name})`, rrf(tfidf, r)]);
  }
  for (const split of ['dev', 'held-out'] as const) {
    const queries = set.queries.filter((q) => q.split === split);
    for (const [name, r] of rankers) {
      const m = evaluate(r, queries);
      console.log(
        `| ${set.name} (${queries.length} q) | ${split} | ${name} | ${m.ndcg.toFixed(3)} | ${m.p10.toFixed(3)} |`,
      );
    }
  }
}
