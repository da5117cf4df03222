import type { Embedder } from './embedder.js';
import { hashedUnitVector } from './feature-hashing.js';

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
  return hashedUnitVector([...counts].map(([feature, weight]) => [feature, Math.log1p(weight)]));
}

/** The default before `local-idf-v2`, kept so a deployment can go back (`EMBED_LOCAL_MODEL=local-hash-v1`). */
export function createLocalEmbedder(): Embedder {
  return {
    provider: 'local',
    model: 'local-hash-v1',
    embed: async (texts) => texts.map(localEmbedding),
  };
}
