import { EMBEDDING_DIMENSIONS, type Embedder } from './embedder.js';

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by for from has have in into is it its of on or our that the their ' +
    'this to was were will with which who whom than then there these those we you your they he she'
  ).split(' '),
);

/** Strips common English suffixes so "acquisitions" and "acquisition" share a feature. */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** FNV-1a, 32 bits: fast, stable across processes and platforms. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function addFeature(vector: Float64Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  const index = hash % EMBEDDING_DIMENSIONS;
  // A second hash picks the sign so that collisions cancel out on average instead of piling up.
  const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
  vector[index] = (vector[index] ?? 0) + sign * weight;
}

/** Tokens of a text: lower-cased, stop words dropped, lightly stemmed. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((w) => !STOPWORDS.has(w) && w.length > 1)
    .map(stem);
}

/**
 * The local embedding of one text: signed feature hashing of word unigrams (weight 1), word bigrams
 * (0.5) and character 4-grams of each word (0.25), log-scaled counts, L2-normalised.
 */
export function localEmbedding(text: string): number[] {
  const vector = new Float64Array(EMBEDDING_DIMENSIONS);
  const counts = new Map<string, number>();
  const bump = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
  const words = tokenize(text);
  words.forEach((word, i) => {
    bump(`w:${word}`, 1);
    const next = words[i + 1];
    if (next) bump(`b:${word} ${next}`, 0.5);
    const padded = `_${word}_`;
    for (let j = 0; j + 4 <= padded.length; j++) bump(`c:${padded.slice(j, j + 4)}`, 0.25);
  });
  for (const [feature, weight] of counts) addFeature(vector, feature, Math.log1p(weight));
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) {
    // An empty or stop-word-only text still gets a valid unit vector, the same one every time.
    vector[0] = 1;
    norm = 1;
  }
  return Array.from(vector, (v) => v / norm);
}

/** The embedded default: deterministic, offline, same dimensions as text-embedding-3-small. */
export function createLocalEmbedder(): Embedder {
  return {
    provider: 'local',
    model: 'local-hash-v1',
    embed: async (texts) => texts.map(localEmbedding),
  };
}
