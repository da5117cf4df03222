// The latency benches' synthetic corpus: a 4,000-word vocabulary of made-up words (Zipf-like use)
// and texts that cluster by topic, reproducible from fixed seeds. Shared by latency.ts (which loads
// the corpus) and ceiling.ts (which queries a corpus latency.ts kept), so both ask the same queries.
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const random = rng(42);
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'tor',
  'val',
  'syn',
  'ex',
  'gra',
  'pho',
  'dur',
  'qui',
  'zen',
  'bra',
  'ult',
  'ri',
];
const VOCAB = Array.from({ length: 4000 }, () =>
  Array.from(
    { length: 2 + Math.floor(random() * 3) },
    () => SYLLABLES[Math.floor(random() * SYLLABLES.length)],
  ).join(''),
);
// Zipf-like: low indexes are common words, high ones rare.
export const word = (r = random) => VOCAB[Math.floor(VOCAB.length * r() ** 2.2)]!;
// BENCH_TEXT=topics (default): each text draws 80% of its words from one of 200 topics' 40-word
// vocabularies, so the vectors cluster as real documents do; BENCH_TEXT=soup: words drawn from the
// whole vocabulary, near-uniform vectors (the hardest case for an approximate index).
export const TOPICS = Array.from({ length: 200 }, (_, t) => VOCAB.slice(200 + t * 18, 200 + t * 18 + 40));
export const soup = process.env.BENCH_TEXT === 'soup';
export const text = (n: number, r = random) => {
  const topic = TOPICS[Math.floor(r() * TOPICS.length)]!;
  return Array.from({ length: n }, () =>
    soup || r() < 0.2 ? word(r) : topic[Math.floor(r() * topic.length)]!,
  ).join(' ');
};
// Queries from their own generator: the same whether this run loads the corpus or reuses it.
const queryRandom = rng(7);

/** The benches' queries: six words of one topic each, the same on every run. */
export const benchQueries = (count: number) => Array.from({ length: count }, () => text(6, queryRandom));
