import type pg from 'pg';
import bm25 from 'wink-bm25-text-search';
import nlp from 'wink-nlp-utils';

/** A document or query as a list of terms. */
export type Tokenised = { id: string; tokens: string[] };

/** wink-nlp-utils' classic pipeline: lower case, split on non-word characters, drop stop words, Porter stem. */
export const winkTokens = (text: string): string[] =>
  nlp.tokens.stem(nlp.tokens.removeWords(nlp.string.tokenize0(nlp.string.lowerCase(text))));

/**
 * PostgreSQL's own lexemes of each text (`to_tsvector('english', …)`), each repeated once per position,
 * in order: the terms the product's keyword index holds.
 */
export async function postgresLexemes(client: pg.Client, texts: string[]): Promise<string[][]> {
  const { rows } = await client.query<{ tokens: string[] }>(
    `select coalesce((select array_agg(u.lexeme order by p.pos)
                        from unnest(to_tsvector('english', x.t)) u(lexeme, positions, weights),
                             unnest(u.positions) p(pos)), '{}') as tokens
       from unnest($1::text[]) with ordinality x(t, ord) order by x.ord`,
    [texts],
  );
  return rows.map((r) => r.tokens);
}

/**
 * Plain TF-IDF cosine, exact and in memory: weights tf · ln(N / df), L2-normalised, scored through an
 * inverted index. The textbook baseline a ranking should at least match.
 */
export function tfidfRankings(docs: Tokenised[], queries: Tokenised[], limit: number): Map<string, string[]> {
  const df = new Map<string, number>();
  const counted = docs.map((d) => termCounts(d.tokens));
  for (const tf of counted) for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => (df.has(t) ? Math.log(docs.length / df.get(t)!) : 0);
  const unit = (tf: Map<string, number>) => {
    const weights = [...tf].map(([t, c]) => [t, c * idf(t)] as const).filter(([, w]) => w > 0);
    const norm = Math.hypot(...weights.map(([, w]) => w)) || 1;
    return weights.map(([t, w]) => [t, w / norm] as const);
  };
  const postings = new Map<string, Array<[number, number]>>();
  counted.forEach((tf, i) => {
    for (const [t, w] of unit(tf)) {
      const list = postings.get(t) ?? [];
      list.push([i, w]);
      postings.set(t, list);
    }
  });
  return new Map(
    queries.map((q) => {
      const scores = new Map<number, number>();
      for (const [t, qw] of unit(termCounts(q.tokens)))
        for (const [i, dw] of postings.get(t) ?? []) scores.set(i, (scores.get(i) ?? 0) + qw * dw);
      const ranked = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit);
      return [q.id, ranked.map(([i]) => docs[i]!.id)];
    }),
  );
}

/**
 * The reference BM25 library (wink-bm25-text-search) over already tokenised documents, one field,
 * k1 and b as given (1.2 and 0.75 by default, the usual values).
 */
export function bm25Rankings(
  docs: Tokenised[],
  queries: Tokenised[],
  limit: number,
  params: { k1: number; b: number } = { k1: 1.2, b: 0.75 },
): Map<string, string[]> {
  const engine = bm25();
  engine.defineConfig({ fldWeights: { text: 1 }, bm25Params: { ...params, k: 1 } });
  // Terms travel joined by a space, which neither pipeline leaves inside a term.
  engine.definePrepTasks([(joined: string) => joined.split(' ').filter(Boolean)]);
  for (const d of docs) engine.addDoc({ text: d.tokens.join(' ') }, d.id);
  engine.consolidate();
  return new Map(
    queries.map((q) => [q.id, engine.search(q.tokens.join(' '), limit).map(([id]) => String(id))]),
  );
}

function termCounts(tokens: string[]) {
  const tf = new Map<string, number>();
  for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}
