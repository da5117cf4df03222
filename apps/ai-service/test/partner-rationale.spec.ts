import { PartnerResultsSchema, PROBLEM_CONTENT_TYPE } from '@mna/shared';
import { type FakeServer, internalHeaders, type RecordedRequest, startFakeServer } from '@mna/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RATIONALE_PROMPT_VERSION } from '../src/modules/ecosystem/partners.rationale.js';
import { apiError, messageResponse } from './fixtures.js';
import { type AiHarness, startAi } from './harness.js';
import { company, edge, type SearchStandIn, startSearchStandIn, type TenantData } from './search-stand-in.js';

const buyer = company({
  name: 'Buyer',
  industry: 'software',
  region: 'Europe',
  revenueUsd: 100,
  tags: ['saas'],
});
const others = [
  company({
    name: 'Near',
    industry: 'fintech',
    region: 'Europe',
    revenueUsd: 60,
    tags: ['saas', 'payments'],
  }),
  company({
    name: 'Far',
    industry: 'energy',
    region: 'Asia-Pacific',
    revenueUsd: 5000,
    tags: ['solar', 'saas'],
  }),
  company({ name: 'Peer', industry: 'software', region: 'Europe', revenueUsd: 90, tags: ['saas'] }),
];
const tenant: TenantData = {
  companies: [buyer, ...others],
  edges: [edge(buyer, others[0]!, 0.9), edge(others[0]!, others[2]!, 0.6), edge(others[1]!, others[2]!, 0.3)],
  documents: [],
  version: 'rationale-v1',
};

/** The candidate ids Claude was asked about, read back from the user message. */
const idsAsked = (request: RecordedRequest) => {
  const content = (request.json as { messages: Array<{ content: string }> }).messages[0]!.content;
  // One JSON line per candidate; its evidence names other companies (the closest tie) by id too.
  return [...content.matchAll(/^\{"companyId":"([0-9a-f-]{36})"/gm)].map((m) => m[1]!);
};
const claudeWrites = (request: RecordedRequest) =>
  messageResponse(
    JSON.stringify({
      rationales: idsAsked(request).map((id) => ({ companyId: id, rationale: `Claude on ${id}: fits.` })),
    }),
  );

describe('partner rationales written by Claude (real SDK against a fake Messages API)', () => {
  let anthropic: FakeServer;
  let search: SearchStandIn;
  let claude: AiHarness;
  let local: AiHarness;
  const find = async (app: AiHarness['app'], goal = 'partnership') =>
    app.inject({
      method: 'POST',
      url: '/v1/ai/partners/find',
      headers: await internalHeaders({ tenantId: 'org_r' }),
      payload: { companyId: buyer.id, goal, limit: 3 },
    });

  beforeAll(async () => {
    anthropic = await startFakeServer(claudeWrites);
    search = await startSearchStandIn({ org_r: tenant });
    claude = await startAi({
      searchUrl: search.url,
      env: {
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_MAX_RETRIES: '0',
        ANTHROPIC_TIMEOUT_MS: '5000',
      },
    });
    local = await startAi({ searchUrl: search.url });
  });
  afterEach(() => {
    anthropic.setHandler(claudeWrites);
    anthropic.requests.length = 0;
  });
  afterAll(async () => {
    await claude.close();
    await local.close();
    await search.close();
    await anthropic.close();
  });

  it("uses Claude's structured answer as each rationale; the scores and ranking stay the computed ones", async () => {
    const response = await find(claude.app);
    expect(response.statusCode).toBe(200);
    const result = PartnerResultsSchema.parse(response.json());
    expect(result.rationaleBy).toEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      promptVersion: RATIONALE_PROMPT_VERSION,
    });
    expect(result.candidates).toHaveLength(3);
    for (const c of result.candidates) expect(c.rationale).toBe(`Claude on ${c.companyId}: fits.`);

    const computed = PartnerResultsSchema.parse((await find(local.app)).json());
    expect(computed.rationaleBy.provider).toBe('local');
    expect(result.candidates.map(({ rationale: _, ...c }) => c)).toEqual(
      computed.candidates.map(({ rationale: _, ...c }) => c),
    );
    expect(computed.candidates[0]!.rationale).toMatch(
      /as a partnership candidate: driven by .*network path: /,
    );

    expect(anthropic.requests).toHaveLength(1);
    const sent = anthropic.requests[0]!.json as {
      system: Array<{ cache_control?: unknown; text: string }>;
      output_config: { format: { type: string; schema: { properties: Record<string, unknown> } } };
      messages: Array<{ content: string }>;
    };
    expect(sent.system[0]?.cache_control).toEqual({ type: 'ephemeral' });
    expect(sent.output_config.format.type).toBe('json_schema');
    expect(Object.keys(sent.output_config.format.schema.properties)).toEqual(['rationales']);
    expect(idsAsked(anthropic.requests[0]!)).toEqual(result.candidates.map((c) => c.companyId));
    expect(sent.messages[0]!.content).toContain('Goal: partnership.');
  });

  it('serves the same search from the cache without calling Claude again; another goal is a new call', async () => {
    const first = await find(claude.app, 'investment');
    const second = await find(claude.app, 'investment');
    expect([first.json().cached, second.json().cached]).toEqual([false, true]);
    expect(second.json().candidates).toEqual(first.json().candidates);
    expect(anthropic.requests).toHaveLength(1);
  });

  it('answers 502 problem+json when Claude leaves a candidate out or breaks the schema, 503 when rate-limited', async () => {
    anthropic.setHandler((request) =>
      messageResponse(
        JSON.stringify({
          rationales: idsAsked(request)
            .slice(1)
            .map((id) => ({ companyId: id, rationale: 'x' })),
        }),
      ),
    );
    const partial = await find(claude.app, 'acquisition');
    expect(partial.statusCode).toBe(502);
    expect(partial.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(partial.json().detail).toMatch(/no rationale for 1 of the candidates/);

    anthropic.setHandler(() => messageResponse(JSON.stringify({ rationales: 'none' })));
    const violating = await find(claude.app, 'acquisition');
    expect(violating.statusCode).toBe(502);
    expect(violating.json().detail).toMatch(/schema/);

    anthropic.setHandler(() => apiError(429, 'rate_limit_error'));
    const limited = await find(claude.app, 'acquisition');
    expect(limited.statusCode).toBe(503);
    expect(limited.headers['retry-after']).toBe('7');
  });
});
