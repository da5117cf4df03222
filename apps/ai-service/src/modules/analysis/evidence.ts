import type { PrincipalInput } from '@mna/shared';
import type { SearchClient } from '../ecosystem/search-client.js';
import type { Deal } from './deal-metrics.js';

export type Evidence = {
  excerpts: Array<{ documentId: string; title: string; snippet: string }>;
  /** Ids of the tenant's documents read for this analysis. */
  documentIds: string[];
};

const EXCERPT_LIMIT = 5;

/**
 * The tenant's documents behind an analysis, read through search-service: the documents the caller
 * named (a foreign or unknown id is a 404 there) and the best search hits for the target.
 */
export async function gatherEvidence(
  search: SearchClient,
  principal: PrincipalInput,
  deal: Deal,
): Promise<Evidence> {
  const [named, hits] = await Promise.all([
    Promise.all((deal.documentIds ?? []).map((id) => search.getDocument(principal, id))),
    search.search(principal, {
      query: `${deal.target} ${deal.sector}`.slice(0, 2000),
      mode: 'hybrid',
      limit: EXCERPT_LIMIT,
    }),
  ]);
  const excerpts = hits.results.map((r) => ({
    documentId: r.documentId,
    title: r.title,
    snippet: r.snippet,
  }));
  for (const doc of named) {
    if (!excerpts.some((e) => e.documentId === doc.id))
      excerpts.push({ documentId: doc.id, title: doc.title, snippet: `(${doc.kind}, ${doc.status})` });
  }
  return {
    excerpts,
    documentIds: [...new Set(excerpts.map((e) => e.documentId))],
  };
}
