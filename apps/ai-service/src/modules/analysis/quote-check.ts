import type { QuoteCitation } from '@mna/shared';
import type { EvidencePassage } from './evidence.js';

/** Whitespace runs and typographic quotes/dashes folded, so a quote re-typed by a model still matches. */
const normalise = (text: string) =>
  text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Splits quotes into those that occur in the chunk they cite (among the passages the analyst was
 * given) and those that do not: only the first may leave the service.
 */
export function checkQuotes(
  quotes: readonly QuoteCitation[],
  passages: readonly EvidencePassage[],
): { verified: QuoteCitation[]; rejected: QuoteCitation[] } {
  const chunks = new Map(passages.map((p) => [`${p.documentId}/${p.chunkId}`, normalise(p.text)]));
  const verified: QuoteCitation[] = [];
  const rejected: QuoteCitation[] = [];
  for (const q of quotes) {
    const text = chunks.get(`${q.documentId}/${q.chunkId}`);
    const quote = normalise(q.quote);
    if (text !== undefined && quote.length > 0 && text.includes(quote)) verified.push(q);
    else rejected.push(q);
  }
  return { verified, rejected };
}
