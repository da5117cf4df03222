import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DocumentInput } from '@mna/shared';

/** One query of a labelled collection: its text and the graded gain of each relevant document. */
export type LabelledQuery = {
  id: string;
  text: string;
  /** externalId → gain (> 0); documents not listed are not relevant. */
  relevant: Record<string, number>;
};

/** Documents as a user would file them through the API, and the judged queries over them. */
export type Collection = {
  name: string;
  documents: DocumentInput[];
  queries: LabelledQuery[];
};

export type Split = 'dev' | 'held-out';

/**
 * A query's split, fixed by a hash of the collection's name and the query's id: the same query is in
 * the same half on every run and every machine, and no one chooses which queries are held out.
 */
export function splitOf(collection: string, queryId: string): Split {
  const byte = createHash('sha256').update(`${collection}:${queryId}`).digest()[0]!;
  return byte % 2 === 0 ? 'dev' : 'held-out';
}

/**
 * The text a document is about, as the product is given it: title, content and the metadata a user
 * fills in (tags, industry, region). The baselines index exactly this text.
 */
export function documentText(doc: DocumentInput): string {
  const m = doc.metadata ?? {};
  return [doc.title, doc.content, ...(m.tags ?? []), m.industry, m.region].filter(Boolean).join('\n');
}

/** A collection saved as JSON (the committed samples). */
export async function readCollectionFile(path: string): Promise<Collection> {
  return JSON.parse(await readFile(path, 'utf8')) as Collection;
}
