import { type DealAnalysis, DealAnalysisSchema, type DealAssessment } from '@mna/shared';
import { type AnthropicFake, internalHeaders, startAnthropicFake } from '@mna/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RED_FLAG_DEAL, RED_FLAG_DOCUMENTS } from '../../../scripts/demo/red-flag-documents.js';
import { assessment, healthyDeal } from './fixtures.js';
import { halcyonCim, halcyonDeal } from './halcyon.js';
import { type AiHarness, startAi } from './harness.js';
import { chunksOf, doc, type SearchStandIn, startSearchStandIn } from './search-stand-in.js';

const url = '/v1/ai/deals/analyze';
const cim = halcyonCim();
const clean = doc({
  kind: 'cim',
  title: 'Confidential Information Memorandum — Brightline Tools',
  content:
    'Brightline Tools makes cordless tools for professional builders.\n\nNo litigation is pending against the company and there are no regulatory investigations. The largest customer accounts for 9% of revenue.',
});
const tenants = {
  org_h: { companies: [], edges: [], documents: [cim, clean], version: 'h1' },
  org_other: { companies: [], edges: [], documents: [], version: 'o1' },
};
const chunkText = (chunkId: string) =>
  [cim, clean].flatMap(chunksOf).find((c) => c.id === chunkId)?.text ?? '';

type Sent = {
  system: Array<{ text: string; cache_control?: unknown }>;
  messages: Array<{
    content: Array<{
      type: string;
      text?: string;
      title?: string;
      context?: string;
      source?: { data: string };
      cache_control?: unknown;
    }>;
  }>;
};

async function analyze(app: AiHarness['app'], body: object, tenantId = 'org_h') {
  return app.inject({ method: 'POST', url, headers: await internalHeaders({ tenantId }), payload: body });
}

function expectQuotesInTheirChunks(analysis: DealAnalysis) {
  for (const q of analysis.quotes) expect(chunkText(q.chunkId)).toContain(q.quote);
}

describe('grounded analysis: the local analyst reads the documents', () => {
  let search: SearchStandIn;
  let ai: AiHarness;
  beforeAll(async () => {
    search = await startSearchStandIn(tenants);
    ai = await startAi({ searchUrl: search.url });
  });
  afterAll(async () => {
    await ai.close();
    await search.close();
  });

  it('does not proceed on Halcyon: legal/regulatory flags and the 62 % customer, each quoted from the CIM', async () => {
    const res = await analyze(ai.app, halcyonDeal([cim.id]));
    expect(res.statusCode).toBe(200);
    const body = DealAnalysisSchema.parse(res.json());
    expect(body.valuation.evToEbitda.value).toBe(14.8);
    expect(['pass', 'proceed_with_conditions']).toContain(body.recommendation);
    const legal = body.risks.filter(
      (r) => ['legal', 'regulatory'].includes(r.category) && ['high', 'critical'].includes(r.severity),
    );
    expect(legal.map((r) => r.evidence).join('\n')).toContain(
      'securities class action was filed against the company',
    );
    expect(legal.map((r) => r.evidence).join('\n')).toContain('the SEC opened a formal investigation');
    const commercial = body.risks.find((r) => r.category === 'commercial');
    expect(commercial?.evidence).toContain('62 %');
    expect(commercial?.severity).toBe('high');
    expect(body.risks.find((r) => r.category === 'people')?.evidence).toContain(
      'chief financial officer resigned',
    );
    expect(
      body.risks.some(
        (r) => r.evidence.includes('auditor') || r.evidence.includes('accounting firm resigned'),
      ),
    ).toBe(true);
    // Quotes name the document and chunk, and each occurs in its chunk.
    expect(body.citations).toContain(cim.id);
    expect(body.quotes.length).toBeGreaterThanOrEqual(5);
    expect(body.quotes.every((q) => q.documentId === cim.id)).toBe(true);
    expectQuotesInTheirChunks(body);
    // The negated sentence and the hedged one are read but raise nothing.
    expect(body.quotes.map((q) => q.quote).join('\n')).not.toMatch(/No other litigation|could lose/);
  });

  it('proceeds on a clean CIM whose text denies litigation, and passes at 80x EV/EBITDA', async () => {
    const deal = { ...halcyonDeal([clean.id]), target: 'Brightline Tools' };
    const body = DealAnalysisSchema.parse((await analyze(ai.app, deal)).json());
    expect(body.risks.filter((r) => ['legal', 'regulatory'].includes(r.category))).toEqual([]);
    expect(body.recommendation).toBe('proceed');
    const rich = { ...deal, financials: { ...deal.financials, enterpriseValue: 29.8 * 80 } };
    const dear = DealAnalysisSchema.parse((await analyze(ai.app, rich)).json());
    expect(dear.risks.find((r) => r.category === 'valuation')?.severity).toBe('critical');
    expect(dear.recommendation).toBe('pass');
  });

  it('answers 404 for another tenant’s document named in documentIds', async () => {
    const res = await analyze(ai.app, halcyonDeal([cim.id]), 'org_other');
    expect(res.statusCode).toBe(404);
  });
});

describe('grounded analysis: Claude receives the passages (real SDK against the Anthropic fake)', () => {
  let search: SearchStandIn;
  let ai: AiHarness;
  let anthropic: AnthropicFake;
  let answer: (sent: Sent) => DealAssessment;
  beforeAll(async () => {
    search = await startSearchStandIn(tenants);
    anthropic = await startAnthropicFake((r) => JSON.stringify(answer(r.json as Sent)));
    ai = await startAi({
      searchUrl: search.url,
      env: {
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_MAX_RETRIES: '0',
      },
    });
  });
  afterAll(async () => {
    await ai.close();
    await search.close();
    await anthropic.close();
  });

  it('sends every passage as a document block naming document and chunk, cached with the system prompt; keeps only quotes found in their chunk', async () => {
    answer = (sent) => {
      const blocks = sent.messages[0]!.content.filter((b) => b.type === 'document');
      const legal = blocks.find((b) => b.source?.data.includes('class action'))!;
      const [, documentId, chunkId] = /documentId=(\S+) chunkId=(\S+)/.exec(legal.context ?? '')!;
      return assessment([documentId!], {
        recommendation: 'pass',
        quotes: [
          {
            documentId: documentId!,
            chunkId: chunkId!,
            quote: 'a putative securities class action was filed against the company',
          },
          // Not in that chunk (a paraphrase): rejected before the answer leaves.
          {
            documentId: documentId!,
            chunkId: chunkId!,
            quote: 'The company settled the class action for USD 40 million.',
          },
          // A real sentence, but cited to the wrong chunk: rejected too.
          {
            documentId: documentId!,
            chunkId: chunkId!,
            quote: 'One customer, a national grocery chain, accounted for 62 % of revenue',
          },
        ],
      });
    };
    const res = await analyze(ai.app, halcyonDeal([cim.id]));
    expect(res.statusCode).toBe(200);
    const body = DealAnalysisSchema.parse(res.json());
    expect(body.provider).toBe('anthropic');
    expect(body.quotes.map((q) => q.quote)).toEqual([
      'a putative securities class action was filed against the company',
    ]);
    expectQuotesInTheirChunks(body);

    const sent = anthropic.requests.at(-1)!.json as Sent;
    const content = sent.messages[0]!.content;
    const documents = content.filter((b) => b.type === 'document');
    const all = documents.map((b) => b.source?.data ?? '').join('\n');
    for (const fact of [
      '62 % of revenue',
      'formal investigation',
      'accounting firm resigned',
      'chief financial officer resigned',
    ])
      expect(all).toContain(fact);
    for (const b of documents)
      expect(b.context).toMatch(new RegExp(`documentId=${cim.id} chunkId=[0-9a-f-]{36}`));
    // One cached prefix: system (its own breakpoint) + the passages (breakpoint on the last one), then the deal.
    expect(sent.system[0]!.cache_control).toEqual({ type: 'ephemeral' });
    expect(documents.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
    expect(documents.slice(0, -1).every((b) => !b.cache_control)).toBe(true);
    expect(content.at(-1)).toMatchObject({ type: 'text' });
    expect(content.at(-1)!.text).toContain('Halcyon Robotics');
  });

  it('reads the cached prefix on a repeated analysis of the same documents at another price', async () => {
    answer = () => assessment([cim.id]);
    const before = anthropic.usages.length;
    const deal = halcyonDeal([cim.id]);
    await analyze(ai.app, { ...deal, financials: { ...deal.financials, enterpriseValue: 400 } });
    await analyze(ai.app, { ...deal, financials: { ...deal.financials, enterpriseValue: 380 } });
    const [first, second] = anthropic.usages.slice(before);
    expect(first!.cache_read_input_tokens + first!.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(second!.cache_read_input_tokens).toBeGreaterThan(1024);
    expect(second!.cache_creation_input_tokens).toBe(0);
    const metrics = (await ai.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/ai_llm_tokens_total\{[^}]*kind="cache_read"[^}]*\} [1-9]\d*/);
  });

  it('drops quotes citing a document it was not given', async () => {
    answer = () =>
      assessment([cim.id], {
        quotes: [
          {
            documentId: healthyDeal.documentIds?.[0] ?? '00000000-0000-4000-8000-000000000000',
            chunkId: '00000000-0000-4000-8000-000000000001',
            quote: 'Halcyon Robotics',
          },
        ],
      });
    const body = DealAnalysisSchema.parse(
      (await analyze(ai.app, { ...halcyonDeal([cim.id]), notes: 'other' })).json(),
    );
    expect(body.quotes).toEqual([]);
  });
});

describe('the demo’s red-flag document changes an analysis (scripts/demo/red-flag-documents.ts)', () => {
  let search: SearchStandIn;
  let ai: AiHarness;
  const [vdd] = RED_FLAG_DOCUMENTS.map(({ companyRef: _ref, ...d }) => doc(d));
  beforeAll(async () => {
    search = await startSearchStandIn({
      org_demo: { companies: [], edges: [], documents: [vdd!], version: 'd1' },
      org_empty: { companies: [], edges: [], documents: [], version: 'e1' },
    });
    ai = await startAi({ searchUrl: search.url });
  });
  afterAll(async () => {
    await ai.close();
    await search.close();
  });

  it('proceeds on the figures alone, passes once the report is read (named, or found by the search)', async () => {
    const alone = DealAnalysisSchema.parse((await analyze(ai.app, RED_FLAG_DEAL, 'org_empty')).json());
    expect(alone.recommendation).toBe('proceed');
    for (const body of [{ ...RED_FLAG_DEAL, documentIds: [vdd!.id] }, RED_FLAG_DEAL]) {
      const read = DealAnalysisSchema.parse((await analyze(ai.app, body, 'org_demo')).json());
      expect(read.recommendation).toBe('pass');
      expect(read.citations).toEqual([vdd!.id]);
      expect(read.risks.map((r) => r.category)).toEqual(
        expect.arrayContaining(['legal', 'regulatory', 'commercial', 'people', 'financial']),
      );
      expect(read.risks.find((r) => r.category === 'commercial')?.evidence).toContain('58 %');
      for (const q of read.quotes) expect(vdd!.content).toContain(q.quote);
    }
  });
});
