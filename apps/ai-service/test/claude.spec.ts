import { DealAnalysisSchema, PROBLEM_CONTENT_TYPE } from '@mna/shared';
import { type FakeServer, internalHeaders, startFakeServer } from '@mna/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_VERSION } from '../src/modules/analysis/prompt.js';
import { apiError, assessment, healthyDeal, messageResponse, tenantWithDocuments } from './fixtures.js';
import { type AiHarness, startAi } from './harness.js';
import { type SearchStandIn, startSearchStandIn } from './search-stand-in.js';

const url = '/v1/ai/deals/analyze';

describe('deal analysis with Claude (real SDK against a fake Messages API)', () => {
  let anthropic: FakeServer;
  let search: SearchStandIn;
  let ai: AiHarness;
  const tenantA = tenantWithDocuments('a');
  const tenantB = tenantWithDocuments('b');
  const citeA = () => tenantA.documents.map((d) => d.id);
  const env = () => ({
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_MAX_RETRIES: '2',
    ANTHROPIC_TIMEOUT_MS: '5000',
  });
  const post = async (tenantId = 'org_a', body: object = healthyDeal, app = ai.app) =>
    app.inject({ method: 'POST', url, headers: await internalHeaders({ tenantId }), payload: body });

  beforeAll(async () => {
    anthropic = await startFakeServer(() => messageResponse(JSON.stringify(assessment(citeA()))));
    search = await startSearchStandIn({ org_a: tenantA, org_b: tenantB });
    ai = await startAi({ searchUrl: search.url, env: env() });
  });
  afterEach(() => {
    anthropic.requests.length = 0;
  });
  afterAll(async () => {
    await ai.close();
    await search.close();
    await anthropic.close();
  });

  it('answers the contract from a valid structured answer, with the system prompt cached and the schema forced', async () => {
    const fresh = { ...healthyDeal, target: 'Acme Cloud', notes: 'first call' };
    const response = await post('org_a', fresh);
    expect(response.statusCode).toBe(200);
    const body = DealAnalysisSchema.parse(response.json());
    expect(body).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      promptVersion: PROMPT_VERSION,
      cached: false,
    });
    expect(body.recommendation).toBe('proceed_with_conditions');
    expect(body.valuation.evToEbitda.value).toBe(20);
    expect(body.citations.sort()).toEqual(citeA().sort());
    expect(anthropic.requests).toHaveLength(1);
    const sent = anthropic.requests[0]!.json as {
      model: string;
      system: Array<{ cache_control?: unknown }>;
      output_config: { format: { type: string; schema: { properties: Record<string, unknown> } } };
      messages: Array<{ content: Array<{ type: string; context?: string }> }>;
    };
    expect(anthropic.requests[0]!.path).toBe('/v1/messages');
    expect(sent.model).toBe('claude-sonnet-5-5');
    expect(sent.system[0]?.cache_control).toEqual({ type: 'ephemeral' });
    expect(sent.output_config.format.type).toBe('json_schema');
    expect(Object.keys(sent.output_config.format.schema.properties)).toContain('recommendation');
    // The documents' passages are document blocks naming their document (test/grounded-analysis.spec.ts has more).
    const contexts = sent.messages[0]!.content.map((b) => b.context ?? '').join('\n');
    expect(contexts).toContain(`documentId=${tenantA.documents[0]!.id}`);
  });

  it('drops citations of documents that were not provided', async () => {
    anthropic.setHandler(() =>
      messageResponse(JSON.stringify(assessment(['00000000-0000-4000-8000-000000000000']))),
    );
    const response = await post('org_a', { ...healthyDeal, notes: 'hallucinated citation' });
    expect(response.statusCode).toBe(200);
    expect(response.json().citations).toEqual([]);
  });

  it('answers 502 problem+json for malformed JSON and for a schema-violating answer', async () => {
    anthropic.setHandler(() => messageResponse('{"recommendation": "proceed", '));
    const malformed = await post('org_a', { ...healthyDeal, notes: 'malformed' });
    expect(malformed.statusCode).toBe(502);
    expect(malformed.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(malformed.json()).toMatchObject({ status: 502, title: 'Bad gateway' });
    expect(malformed.body).not.toContain('at ');

    anthropic.setHandler(() =>
      messageResponse(JSON.stringify({ ...assessment([]), recommendation: 'buy everything', confidence: 3 })),
    );
    const violating = await post('org_a', { ...healthyDeal, notes: 'violating' });
    expect(violating.statusCode).toBe(502);
    expect(violating.json().detail).toMatch(/schema/);
  });

  it('answers 503 with Retry-After when Anthropic stays rate-limited and overloaded after retries', async () => {
    let calls = 0;
    anthropic.setHandler(() =>
      calls++ === 0 ? apiError(429, 'rate_limit_error') : apiError(529, 'overloaded_error'),
    );
    const response = await post('org_a', { ...healthyDeal, notes: 'overloaded' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(anthropic.requests).toHaveLength(3); // first try + ANTHROPIC_MAX_RETRIES
  });

  it('serves a second identical call from the cache without calling Claude', async () => {
    anthropic.setHandler(() => messageResponse(JSON.stringify(assessment(citeA()))));
    const deal = { ...healthyDeal, notes: 'cache me' };
    const first = await post('org_a', deal);
    const searches = search.calls.search ?? 0;
    const versions = search.calls.dataVersion ?? 0;
    const second = await post('org_a', deal);
    expect(first.json().cached).toBe(false);
    expect(second.json().cached).toBe(true);
    expect({ ...second.json(), cached: false }).toEqual(first.json());
    expect(anthropic.requests).toHaveLength(1);
    // A hit reads the documents' version from search-service and runs no search.
    expect(search.calls.search ?? 0).toBe(searches);
    expect(search.calls.dataVersion ?? 0).toBe(versions + 1);
  });

  it('misses on another tenant, a changed document, a new prompt version and a new model', async () => {
    const deal = { ...healthyDeal, notes: 'key parts' };
    await post('org_a', deal);
    expect(anthropic.requests).toHaveLength(1);
    expect((await post('org_b', deal)).json().cached).toBe(false);
    expect(anthropic.requests).toHaveLength(2);

    tenantA.documents[0]!.content = 'Acme Cloud restated its revenue.';
    tenantA.documents[0]!.updatedAt = new Date().toISOString();
    expect((await post('org_a', deal)).json().cached).toBe(false);
    expect(anthropic.requests).toHaveLength(3);
    expect((await post('org_a', deal)).json().cached).toBe(true);

    // A second replica on the same Redis prefix shares the cache; one with another prompt or model does not.
    {
      const shared = await startAi({ searchUrl: search.url, env: { ...env(), REDIS_PREFIX: ai.prefix } });
      const sharedNext = await startAi({
        searchUrl: search.url,
        env: { ...env(), REDIS_PREFIX: ai.prefix },
        promptVersion: 'deal-analysis/next',
      });
      const sharedModel = await startAi({
        searchUrl: search.url,
        env: { ...env(), REDIS_PREFIX: ai.prefix, ANTHROPIC_MODEL: 'claude-opus-5-5' },
      });
      try {
        expect((await post('org_a', deal, shared.app)).json().cached).toBe(true);
        expect(anthropic.requests).toHaveLength(3);
        const next = (await post('org_a', deal, sharedNext.app)).json();
        expect(next).toMatchObject({ cached: false, promptVersion: 'deal-analysis/next' });
        const opus = (await post('org_a', deal, sharedModel.app)).json();
        expect(opus).toMatchObject({ cached: false, model: 'claude-opus-5-5' });
        expect(anthropic.requests).toHaveLength(5);
      } finally {
        await shared.close();
        await sharedNext.close();
        await sharedModel.close();
      }
    }
  });

  it('makes one upstream call for 20 identical concurrent requests', async () => {
    anthropic.setHandler(() => ({ ...messageResponse(JSON.stringify(assessment(citeA()))), delayMs: 200 }));
    const deal = { ...healthyDeal, notes: 'stampede' };
    const headers = await internalHeaders({ tenantId: 'org_a' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => ai.app.inject({ method: 'POST', url, headers, payload: deal })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(anthropic.requests).toHaveLength(1);
  });

  it('exports token usage and latency per operation and model', async () => {
    const metrics = (await ai.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /ai_llm_tokens_total\{[^}]*operation="deal_analysis"[^}]*model="claude-sonnet-5-5"[^}]*kind="input"[^}]*\} \d+/,
    );
    expect(metrics).toMatch(/ai_llm_request_duration_seconds_count\{[^}]*outcome="ok"/);
    expect(metrics).toMatch(/ai_llm_request_duration_seconds_count\{[^}]*outcome="ServiceUnavailableError"/);
  });
});
