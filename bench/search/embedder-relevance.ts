import { localEmbedding } from '../../apps/search-service/src/modules/embeddings/local-embedder.js';
import {
  type LocalIdfOptions,
  localIdfEmbedding,
  tokenizeStemmed,
} from '../../apps/search-service/src/modules/embeddings/local-idf-embedder.js';
import { chunkEmbeddingInput } from '../../apps/search-service/src/modules/indexing/indexing.processor.js';
import { type Collection, documentText, type Split, splitOf } from '../relevance/collection.js';
import { loadCranfield } from '../relevance/cranfield.js';
import { loadCrunchbase } from '../relevance/crunchbase.js';

// Quality of the local embedders alone (exact cosine, in memory, one vector per document, made from
// what the worker embeds: title, content and labels), against TF-IDF cosine over the same documents
// (documentText, as bench/relevance's baselines) and RRF fusions, on bench/relevance's collections and
// splits, in minutes rather than the platform run's half hour: for choosing the embedder's weights on
// dev before measuring it in the platform on held-out.
//   RELEVANCE_CRUNCHBASE_CSV=… RELEVANCE_CRANFIELD_DIR=… pnpm exec tsx bench/search/embedder-relevance.ts
//   VARIANTS='[["label",{"idfPower":1}]]' compares option sets of local-idf-v2.
const K = 10;

type Doc = { id: string; text: string; embedInput: string };
type Query = { text: string; relevant: Map<string, number>; split: Split };
type Set = { name: string; docs: Doc[]; queries: Query[] };

function toSet(c: Collection): Set {
  return {
    name: c.name,
    docs: c.documents.map((d) => ({
      id: d.externalId,
      text: documentText(d),
      embedInput: chunkEmbeddingInput({
        text: `${d.title}\n\n${d.content}`,
        tags: d.metadata?.tags ?? [],
        industry: d.metadata?.industry ?? null,
        region: d.metadata?.region ?? null,
      }),
    })),
    queries: c.queries.map((q) => ({
      text: q.text,
      relevant: new Map(Object.entries(q.relevant)),
      split: splitOf(c.name, q.id),
    })),
  };
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
  const vectors = docs.map((d) => Float32Array.from(embed(d.embedInput)));
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
const { RELEVANCE_CRUNCHBASE_CSV: csv, RELEVANCE_CRANFIELD_DIR: cranfieldDir } = process.env;
if (csv) sets.push(toSet(await loadCrunchbase(csv)));
if (cranfieldDir) sets.push(toSet(await loadCranfield(cranfieldDir)));
if (sets.length === 0) throw new Error('set RELEVANCE_CRUNCHBASE_CSV and/or RELEVANCE_CRANFIELD_DIR');

const variants: Array<[string, Partial<LocalIdfOptions>]> = JSON.parse(
  process.env.VARIANTS ??
    JSON.stringify([
      ['stems only (no IDF, bigrams, 4-grams)', { idf: false, bigramWeight: 0, charWeight: 0 }],
      ['+ IDF', { bigramWeight: 0, charWeight: 0, idfPower: 1 }],
      ['+ IDF^0.5', { bigramWeight: 0, charWeight: 0 }],
      ['+ IDF^0.5 + bigrams', { charWeight: 0 }],
      ['+ IDF^0.5 + bigrams + 4-grams (local-idf-v2)', {}],
      ['local-idf-v2, unseen words as count 100', { unseenCount: 100 }],
      ['local-idf-v2, unseen words as count 1000', { unseenCount: 1000 }],
    ]),
);
const base: LocalIdfOptions = { idf: true, bigramWeight: 0.5, charWeight: 1, idfPower: 0.5, unseenCount: 0 };

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
