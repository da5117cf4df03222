import { expect, it } from 'vitest';
import { readCollectionFile } from './collection.js';
import { formatReport } from './evaluate.js';
import { runHarness, SAMPLES } from './harness.js';
import { pairedDifference } from './metrics.js';

// The relevance gate: the harness on the committed samples through the real service (Postgres,
// Redis, the embedding worker). Fusing keyword and semantic must never rank measurably worse than the
// better of the two alone, on either collection. A sample has 22-28 queries, so the comparison is
// paired per query: hybrid fails when its mean nDCG@10 is below the best single mode's by more than
// two standard errors of the per-query differences (the full-data harness, bench/relevance/run.ts,
// reports the plain means on 111-225 queries; BENCHMARKS.md).
it('hybrid ranks no worse than the best single mode on the committed samples', async () => {
  const collections = [
    await readCollectionFile(SAMPLES.cranfield),
    await readCollectionFile(SAMPLES.crunchbase),
  ];
  const { reports } = await runHarness({ collections });
  for (const report of reports) console.log(formatReport(report));
  for (const report of reports) {
    const platform = (mode: string) =>
      report.rankings.find((r) => r.source === 'platform' && r.ranking === mode)!;
    expect(report.queries.dev + report.queries['held-out']).toBeGreaterThanOrEqual(20);
    const best = ['keyword', 'semantic']
      .map(platform)
      .reduce((a, b) => (b.scores.all.ndcg10 > a.scores.all.ndcg10 ? b : a));
    const { mean, standardError } = pairedDifference(platform('hybrid').ndcgByQuery, best.ndcgByQuery);
    console.log(
      `${report.collection}: hybrid − ${best.ranking} nDCG@10 = ${mean.toFixed(3)} (standard error ${standardError.toFixed(3)})`,
    );
    expect
      .soft(mean, `${report.collection}: hybrid nDCG@10 against ${best.ranking}, the best single mode`)
      .toBeGreaterThanOrEqual(-2 * standardError);
  }
});
