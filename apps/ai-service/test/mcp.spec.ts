import type { AddressInfo } from 'node:net';
import { DealAnalysisSchema, InfluenceMapSchema, PartnerResultsSchema } from '@mna/shared';
import { internalHeaders } from '@mna/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { healthyDeal, tenantWithDocuments, textOf } from './fixtures.js';
import { type AiHarness, startAi } from './harness.js';
import { type SearchStandIn, startSearchStandIn } from './search-stand-in.js';

const TOOLS = [
  'search_documents',
  'get_document',
  'get_company',
  'find_similar_companies',
  'analyze_deal',
  'find_partners',
  'influence_map',
];

describe('MCP server over Streamable HTTP (SDK Client, direct to ai-service with an internal token)', () => {
  let search: SearchStandIn;
  let ai: AiHarness;
  let endpoint: URL;
  let client: Client;
  const tenant = tenantWithDocuments('mcp');
  const [alpha, beta] = tenant.companies;
  const doc = tenant.documents[0]!;

  const connect = async (headers: Record<string, string>) => {
    const c = new Client({ name: 'mcp-test', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } }));
    return c;
  };

  beforeAll(async () => {
    search = await startSearchStandIn({ org_mcp: tenant });
    ai = await startAi({ searchUrl: search.url });
    await ai.app.listen({ host: '127.0.0.1', port: 0 });
    endpoint = new URL(`http://127.0.0.1:${(ai.app.server.address() as AddressInfo).port}/v1/mcp`);
    client = await connect(await internalHeaders({ tenantId: 'org_mcp', plan: 'growth' }));
  });
  afterAll(async () => {
    await client?.close();
    await ai.close();
    await search.close();
  });

  it('lists every tool with a title, input and output schemas and all four annotation hints', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      const hints = tool.annotations ?? {};
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const)
        expect(typeof hints[hint], `${tool.name}.${hint}`).toBe('boolean');
    }
  });

  it('calls each tool and gets structuredContent', async () => {
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
      return result.structuredContent as Record<string, unknown>;
    };
    const found = await call('search_documents', { query: 'Acme Cloud' });
    expect((found.results as unknown[]).length).toBe(2);
    expect(await call('get_document', { id: doc.id })).toMatchObject({ id: doc.id, title: doc.title });
    expect(await call('get_company', { id: alpha!.id })).toMatchObject({ name: alpha!.name });
    const similar = await call('find_similar_companies', { id: alpha!.id, limit: 5 });
    expect((similar.companies as Array<{ company: { id: string } }>)[0]!.company.id).toBe(beta!.id);
    const analysis = DealAnalysisSchema.parse(await call('analyze_deal', healthyDeal));
    expect(analysis.recommendation).toBe('proceed');
    const partners = PartnerResultsSchema.parse(
      await call('find_partners', { companyId: alpha!.id, goal: 'partnership' }),
    );
    expect(partners.candidates[0]!.companyId).toBe(beta!.id);
    const influence = InfluenceMapSchema.parse(
      await call('influence_map', { companyId: alpha!.id, to: beta!.id }),
    );
    expect(influence.warmPaths[0]!.path).toEqual([alpha!.id, beta!.id]);
  });

  it('returns a tool error a user can act on for an unknown company', async () => {
    const result = await client.callTool({
      name: 'get_company',
      arguments: { id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Not found/);
  });

  it('reads the company and document resources and gets both prompts', async () => {
    const company = await client.readResource({ uri: `company://${alpha!.id}` });
    expect(JSON.parse(textOf(company.contents[0]))).toMatchObject({ id: alpha!.id });
    const document = await client.readResource({ uri: `document://${doc.id}` });
    expect(JSON.parse(textOf(document.contents[0]))).toMatchObject({ id: doc.id });
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['deal_memo_review', 'due_diligence_checklist']);
    const checklist = await client.getPrompt({
      name: 'due_diligence_checklist',
      arguments: { target: 'Acme', sector: 'SaaS' },
    });
    expect(JSON.stringify(checklist.messages)).toContain('Acme');
    const review = await client.getPrompt({
      name: 'deal_memo_review',
      arguments: { memo: 'Buy Acme at 20x.' },
    });
    expect(JSON.stringify(review.messages)).toContain('Buy Acme at 20x.');
  });

  it('refuses a request without a token (401)', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const anonymous = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(init),
    });
    expect(anonymous.status).toBe(401);
  });

  it('answers every tool of a plan without MCP with a tool error naming the plan to upgrade to', async () => {
    const solo = await connect(await internalHeaders({ tenantId: 'org_mcp', plan: 'solo' }));
    try {
      const calls = search.calls.getCompany ?? 0;
      const arguments_: Record<string, Record<string, unknown>> = {
        search_documents: { query: 'Acme' },
        get_document: { id: doc.id },
        get_company: { id: alpha!.id },
        find_similar_companies: { id: alpha!.id },
        analyze_deal: healthyDeal,
        find_partners: { companyId: alpha!.id, goal: 'partnership' },
        influence_map: { companyId: alpha!.id },
      };
      for (const name of TOOLS) {
        const result = await solo.callTool({ name, arguments: arguments_[name] });
        expect(result.isError, name).toBe(true);
        expect(textOf((result.content as Array<{ text: string }>)[0]), name).toMatch(
          /plan \(Solo\) does not include MCP access; upgrade to Growth/,
        );
        expect(result.structuredContent, name).toBeUndefined();
      }
      expect(search.calls.getCompany ?? 0).toBe(calls);
      await expect(solo.readResource({ uri: `company://${alpha!.id}` })).rejects.toThrow(
        /does not include MCP/,
      );
      await expect(
        solo.getPrompt({ name: 'due_diligence_checklist', arguments: { target: 'Acme', sector: 'SaaS' } }),
      ).rejects.toThrow(/does not include MCP/);
    } finally {
      await solo.close();
    }
  });

  it('answers GET and DELETE with 405 (stateless server)', async () => {
    const headers = await internalHeaders({ tenantId: 'org_mcp' });
    expect(
      (await fetch(endpoint, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' } })).status,
    ).toBe(405);
    expect((await fetch(endpoint, { method: 'DELETE', headers })).status).toBe(405);
  });
});
