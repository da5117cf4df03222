import { readFileSync } from 'node:fs';
import { PartnerResultsSchema } from '@mna/shared';
import { internalHeaders } from '@mna/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseAcquirers, readAcquisitions, type Window } from './acquisitions/crunchbase.js';
import { evaluateWindow, type WindowResult } from './acquisitions/evaluate.js';
import { startSearchStack } from './acquisitions/search-stack.js';
import { type AiHarness, startAi } from './harness.js';

// The partner harness on the committed sample (CrunchBase 2015-12 via notpeter/crunchbase-data,
// CC-BY-NC 4.0, evaluation use only): the real search-service and its embedding worker as processes,
// ai-service's route through Fastify inject, the held-out window (ties known up to 2011, outcomes after).
const HELD_OUT: Window = { name: 'held-out', knownUntil: 2011, until: 9999 };
const sample = readAcquisitions(
  readFileSync(new URL('./acquisitions/crunchbase-sample.csv', import.meta.url), 'utf8'),
);

describe('partner ranking on real acquisitions (committed sample)', () => {
  let stack: Awaited<ReturnType<typeof startSearchStack>>;
  let ai: AiHarness;
  let result: WindowResult;
  const tenantId = 'org_acquisitions';
  const answers: Array<ReturnType<typeof PartnerResultsSchema.parse>> = [];

  beforeAll(async () => {
    stack = await startSearchStack();
    ai = await startAi({ searchUrl: stack.url });
    result = await evaluateWindow({
      searchUrl: stack.url,
      tenantId,
      data: sample,
      acquirers: chooseAcquirers(sample.deals, { min: 5, max: 20 }),
      window: HELD_OUT,
      waitEmbedded: () => stack.embedded(tenantId, 120_000),
      rank: async (task, ids) => {
        const response = await ai.app.inject({
          method: 'POST',
          url: '/v1/ai/partners/find',
          headers: await internalHeaders({ tenantId }),
          payload: { companyId: ids.get(task.acquirer), goal: 'acquisition', limit: 50 },
        });
        expect(response.statusCode).toBe(200);
        const answer = PartnerResultsSchema.parse(response.json());
        answers.push(answer);
        return answer.candidates.map((c) => c.companyId);
      },
    });
    console.info(`partners on the CrunchBase sample: ${JSON.stringify(result)}`);
  }, 600_000);

  afterAll(async () => {
    await ai?.close();
    await stack?.close();
  });

  it('ranks what the acquirers bought above the TF-IDF and category-overlap baselines and random', () => {
    expect(result.tasks).toBeGreaterThanOrEqual(15);
    expect(result.product.p50).toBeGreaterThanOrEqual(result.tfidf.p50);
    expect(result.product.p50).toBeGreaterThanOrEqual(result.categoryOverlap.p50);
    // The route returns 50: the rest tie below them, which can only lower the product's AUC here.
    expect(result.product.auc).toBeGreaterThanOrEqual(result.tfidf.auc);
    expect(result.product.p50).toBeGreaterThan(result.random.p50);
  });

  it('carries the evidence behind each score: drivers, shared tags, text similarity, network path', () => {
    const candidates = answers.flatMap((a) => a.candidates);
    expect(candidates.length).toBeGreaterThan(0);
    for (const c of candidates) {
      expect(c.evidence.drivers.length).toBeGreaterThan(0);
      expect(c.evidence.textSimilarity).toBe(c.factors.textSimilarity);
      expect(c.rationale).toContain(`Text similarity ${c.factors.textSimilarity.toFixed(2)}`);
      for (const tag of c.evidence.sharedTags) expect(c.rationale).toContain(tag);
      expect(c.rationale).toContain(
        `network path: ${c.evidence.networkPath ? c.evidence.networkPath.join(' → ') : 'none'}`,
      );
      // No size data in the export: size is unknown (neutral), never a mismatch.
      expect(c.evidence.unknown).toContain('sizeFit');
      expect(c.evidence.drivers.map((d) => d.factor)).not.toContain('sizeFit');
    }
    // Where resemblance to a past acquisition drove the score, the rationale names that company.
    const portfolio = candidates.find(
      (c) =>
        c.evidence.closestTie &&
        c.evidence.drivers
          .filter((d) => d.contribution > 0)
          .slice(0, 3)
          .some((d) => d.factor === 'portfolioFit'),
    );
    expect(portfolio).toBeDefined();
    expect(portfolio!.rationale).toContain(`closest tie: ${portfolio!.evidence.closestTie!.name}`);
  });
});
