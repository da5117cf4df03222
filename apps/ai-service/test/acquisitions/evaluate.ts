import type { Acquisitions, Task, Window } from './crunchbase.js';
import { buildWindow } from './crunchbase.js';
import { average, baselines, candidatesOf, type Metrics, rankingMetrics } from './ranking-metrics.js';
import { loadTenant } from './search-stack.js';

/**
 * The product's ranking of one task: company ids, best first (a prefix of the candidates is fine);
 * `ids` maps the export's permalinks to the tenant's company ids.
 */
export type ProductRanker = (task: Task, ids: Map<string, string>) => Promise<string[]>;
export type WindowResult = { window: Window; tasks: number; companies: number; ties: number } & Record<
  'product' | 'random' | 'tfidf' | 'categoryOverlap' | 'tfidfPortfolio',
  Metrics
>;

/**
 * One out-of-time window end to end: the tenant loaded into search-service, every task ranked by the
 * product (through `rank`) and by the naive baselines in the same run, metrics macro-averaged.
 */
export async function evaluateWindow(input: {
  searchUrl: string;
  tenantId: string;
  data: Acquisitions;
  acquirers: Set<string>;
  window: Window;
  waitEmbedded: () => Promise<void>;
  rank: ProductRanker;
}): Promise<WindowResult> {
  const { companies, ties, tasks } = buildWindow(input.data, input.acquirers, input.window);
  const ids = await loadTenant(input.searchUrl, input.tenantId, input.data, companies, ties);
  await input.waitEmbedded();
  const refOf = new Map([...ids].map(([ref, id]) => [id, ref]));
  const naive = baselines(input.data.profiles, companies);
  const rows = { product: [], random: [], tfidf: [], categoryOverlap: [], tfidfPortfolio: [] } as Record<
    keyof typeof naive | 'product',
    Array<ReturnType<typeof rankingMetrics>>
  >;
  for (const task of tasks) {
    const candidates = candidatesOf(companies, task);
    const ranked = (await input.rank(task, ids)).map((id) => refOf.get(id) ?? id);
    rows.product.push(rankingMetrics(ranked, candidates, task.relevant));
    for (const [name, rank] of Object.entries(naive))
      rows[name as keyof typeof naive].push(rankingMetrics(rank(task), candidates, task.relevant));
  }
  return {
    window: input.window,
    tasks: tasks.length,
    companies: companies.length,
    ties: ties.length,
    product: average(rows.product),
    random: average(rows.random),
    tfidf: average(rows.tfidf),
    categoryOverlap: average(rows.categoryOverlap),
    tfidfPortfolio: average(rows.tfidfPortfolio),
  };
}
