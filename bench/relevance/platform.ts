import {
  type DocumentInput,
  type PrincipalInput,
  type SearchRequest,
  SearchRequestSchema,
  type ServiceClient,
  searchRoutes,
} from '@mna/shared';
import type { Collection } from './collection.js';
import type { Rankings } from './metrics.js';

/** One way of calling POST /v1/search: a label and the request fields besides query and limit. */
export type Variant = { label: string; body: Partial<SearchRequest> & Record<string, unknown> };

/** The largest page the contract allows: enough for recall@100 in one call. */
export const RESULTS_PER_QUERY = 100;

const principal = (tenantId: string): PrincipalInput => ({
  tenantId,
  userId: 'relevance-harness',
  orgRole: null,
  plan: 'enterprise',
  requestId: crypto.randomUUID(),
});

/** The values of an enum field of a zod schema (through .optional() and .default()), or none. */
export function enumValues(schema: unknown): string[] {
  let s = schema as { unwrap?: () => unknown; options?: unknown } | undefined;
  while (s && !Array.isArray(s.options) && typeof s.unwrap === 'function') s = s.unwrap() as typeof s;
  return Array.isArray(s?.options) ? s.options.map(String) : [];
}

/**
 * The request variants the search contract offers: every `mode`, and, when the contract has an enum
 * `fusion` field, hybrid once per fusion value (plain `hybrid` keeps the service's default). Extra
 * variants (from the command line) are appended.
 */
export function contractVariants(extra: Variant[] = []): Variant[] {
  const shape = SearchRequestSchema.shape as Record<string, unknown>;
  const order = ['keyword', 'semantic', 'hybrid'];
  const modes = enumValues(shape.mode).sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99),
  );
  const fusions = enumValues(shape.fusion).map((fusion) => ({
    label: `hybrid fusion=${fusion}`,
    body: { mode: 'hybrid', fusion } as Variant['body'],
  }));
  return [...modes.map((mode) => ({ label: mode, body: { mode } as Variant['body'] })), ...fusions, ...extra];
}

/**
 * Files the collection's documents into `tenantId` through the bulk route and waits until the
 * worker has indexed every one (a failed one is an error). Returns document id → externalId.
 */
export async function ingestCollection(client: ServiceClient, tenantId: string, documents: DocumentInput[]) {
  const externalIds = new Map<string, string>();
  for (let i = 0; i < documents.length; i += 1000) {
    const batch = documents.slice(i, i + 1000);
    const { ids } = await client.call(searchRoutes.ingestBulk, {
      principal: principal(tenantId),
      body: { documents: batch },
      timeoutMs: 120_000,
    });
    for (const [j, id] of ids.entries()) externalIds.set(id, batch[j]!.externalId);
  }
  const deadline = Date.now() + 30 * 60_000;
  for (let pending = [...externalIds.keys()]; pending.length > 0; ) {
    const states = await inParallel(pending, 16, (id) =>
      client.call(searchRoutes.getDocument, { principal: principal(tenantId), params: { id } }),
    );
    const failed = states.find((s) => s.status === 'failed');
    if (failed) throw new Error(`document ${failed.externalId} failed to index: ${failed.error}`);
    pending = states.filter((s) => s.status !== 'indexed').map((s) => s.id);
    if (pending.length && Date.now() > deadline)
      throw new Error(`${pending.length} documents still not indexed`);
    if (pending.length) await new Promise((r) => setTimeout(r, 500));
  }
  return externalIds;
}

/** Each query of the collection through POST /v1/search with the variant's fields: the ranked externalIds. */
export async function searchRankings(
  client: ServiceClient,
  tenantId: string,
  collection: Collection,
  externalIds: Map<string, string>,
  variant: Variant,
): Promise<Rankings> {
  const pages = await inParallel(collection.queries, 4, (q) =>
    client.call(searchRoutes.search, {
      principal: principal(tenantId),
      body: { query: q.text, limit: RESULTS_PER_QUERY, ...variant.body },
      timeoutMs: 60_000,
    }),
  );
  return new Map(
    collection.queries.map((q, i) => [
      q.id,
      pages[i]!.results.map((r) => externalIds.get(r.documentId) ?? r.documentId),
    ]),
  );
}

/** `fn` over every item with at most `limit` calls in flight; results in the items' order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}
