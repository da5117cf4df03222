import { expect, it } from 'vitest';
import { readCollectionFile } from './collection.js';
import { formatReport } from './evaluate.js';
import { runHarness, SAMPLES } from './harness.js';

// The relevance gate: the harness on the committed samples through the real service (Postgres,
// Redis, the embedding worker). Fusing keyword and semantic must never rank worse than the better of
// the two alone, on either collection (nDCG@10 over all of the sample's queries).
it('hybrid ranks at least as well as the best single mode on the committed samples', async () => {
  const collections = [
    await readCollectionFile(SAMPLES.cranfield),
    await readCollectionFile(SAMPLES.crunchbase),
  ];
  const { reports } = await runHarness({ collections });
  for (const report of reports) console.log(formatReport(report));
  for (const report of reports) {
    const ndcg = (mode: string) =>
      report.rankings.find((r) => r.source === 'platform' && r.ranking === mode)!.scores.all.ndcg10;
    expect(report.queries.dev + report.queries['held-out']).toBeGreaterThanOrEqual(20);
    expect
      .soft(ndcg('hybrid'), `${report.collection}: hybrid nDCG@10 against the best single mode`)
      .toBeGreaterThanOrEqual(Math.max(ndcg('keyword'), ndcg('semantic')));
  }
});
