import type { CompanyNode } from './graph.js';

const STOPWORDS = new Set(
  'and are but for from has have into its not our that the their this with which who than of in on to a an'.split(
    ' ',
  ),
);

/** Words of a company's profile (industry, tags, description): lower-cased, stop words dropped. */
export function profileTerms(c: Pick<CompanyNode, 'industry' | 'tags'> & { description?: string }): string[] {
  const text = [c.industry ?? '', ...c.tags, c.description ?? ''].join(' ').toLowerCase();
  return (text.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1 && !STOPWORDS.has(w));
}

export type TfIdfVector = Map<string, number>;

/**
 * TF-IDF over a set of profiles: smoothed IDF (ln((1 + n) / (1 + df)) + 1) from the profiles given,
 * log-scaled term counts, L2-normalised vectors. An empty profile gets an empty vector (unknown).
 */
export function tfIdfVectors(profiles: Map<string, string[]>): Map<string, TfIdfVector> {
  const df = new Map<string, number>();
  for (const terms of profiles.values()) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = profiles.size;
  const vectors = new Map<string, TfIdfVector>();
  for (const [id, terms] of profiles) {
    const counts = new Map<string, number>();
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    const vector: TfIdfVector = new Map();
    let norm = 0;
    for (const [t, count] of counts) {
      const weight = (1 + Math.log(count)) * (Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
      vector.set(t, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    for (const [t, weight] of vector) vector.set(t, weight / norm);
    vectors.set(id, vector);
  }
  return vectors;
}

/** Cosine of two L2-normalised sparse vectors. */
export function cosine(a: TfIdfVector, b: TfIdfVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) dot += w * (large.get(t) ?? 0);
  return dot;
}

/** Tags both companies carry (case-insensitive), in the candidate's spelling. */
export function sharedTags(a: string[], b: string[]): string[] {
  const own = new Set(a.map((t) => t.toLowerCase()));
  return b.filter((t) => own.has(t.toLowerCase()));
}
