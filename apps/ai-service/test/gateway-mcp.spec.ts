import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  deleteKeysWithPrefix,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { healthyDeal, tenantWithDocuments, textOf } from './fixtures.js';
import { devToken, freePort, type ServiceProcess, startServiceProcess } from './processes.js';
import { type SearchStandIn, startSearchStandIn } from './search-stand-in.js';

// End to end through the real gateway process (dev auth) to the real ai-service process; search-service
// is the contract-true stand-in. Both services are started as processes, never imported.
describe('MCP through the gateway', () => {
  const prefix = uniquePrefix('ai-gw');
  const keyDir = mkdtempSync(join(tmpdir(), 'mna-dev-keys-'));
  const keyFile = join(keyDir, 'keys.json');
  const tenant = tenantWithDocuments('gw');
  let search: SearchStandIn;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let ai: ServiceProcess;
  let gateway: ServiceProcess;
  let endpoint: URL;

  beforeAll(async () => {
    search = await startSearchStandIn({ org_gw: tenant });
    database = await createTestDatabase(inject('templateDatabase'));
    const common = {
      INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
    };
    ai = await startServiceProcess('ai-service', {
      ...common,
      SEARCH_SERVICE_URL: search.url,
      DATABASE_URL: database.appUrl,
    });
    gateway = await startServiceProcess('gateway', {
      ...common,
      DEV_AUTH_KEY_FILE: keyFile,
      AI_SERVICE_URL: ai.url,
      SEARCH_SERVICE_URL: search.url,
      BILLING_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
    });
    endpoint = new URL(`${gateway.url}/v1/mcp`);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await ai?.stop();
    await search?.close();
    await database?.drop();
    await deleteKeysWithPrefix(prefix);
    rmSync(keyDir, { recursive: true, force: true });
  });

  const connect = async (token?: string) => {
    const client = new Client({ name: 'gateway-e2e', version: '1.0.0' });
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } }));
    return client;
  };

  it('lists tools, calls one, reads a resource and gets a prompt with a Growth token', async () => {
    const client = await connect(await devToken(keyFile, ['--org', 'org_gw', '--plan', 'growth']));
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(7);
      for (const tool of tools) {
        expect(tool.title).toBeTruthy();
        expect(tool.outputSchema?.type).toBe('object');
        expect(Object.keys(tool.annotations ?? {}).sort()).toEqual(
          ['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint'].sort(),
        );
      }
      const analysis = await client.callTool({ name: 'analyze_deal', arguments: healthyDeal });
      expect(analysis.isError).toBeFalsy();
      expect(analysis.structuredContent).toMatchObject({ provider: 'local', recommendation: 'proceed' });
      const found = await client.callTool({ name: 'search_documents', arguments: { query: 'Acme Cloud' } });
      expect((found.structuredContent as { results: unknown[] }).results).toHaveLength(2);
      const resource = await client.readResource({ uri: `company://${tenant.companies[0]!.id}` });
      expect(textOf(resource.contents[0])).toContain(tenant.companies[0]!.name);
      const prompt = await client.getPrompt({
        name: 'due_diligence_checklist',
        arguments: { target: 'Acme', sector: 'SaaS' },
      });
      expect(prompt.messages.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it('refuses without a token (401); a plan without MCP connects but every tool answers a tool error', async () => {
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(endpoint, { method: 'POST', headers, body: init })).status).toBe(401);
    const solo = await connect(await devToken(keyFile, ['--org', 'org_gw', '--plan', 'solo']));
    try {
      const { tools } = await solo.listTools();
      expect(tools).toHaveLength(7);
      const refused = await solo.callTool({ name: 'analyze_deal', arguments: healthyDeal });
      expect(refused.isError).toBe(true);
      expect(textOf((refused.content as Array<{ text: string }>)[0])).toMatch(
        /Your plan \(Solo\) does not include MCP access; upgrade to Growth/,
      );
      const search = await solo.callTool({ name: 'search_documents', arguments: { query: 'Acme Cloud' } });
      expect(search.isError).toBe(true);
    } finally {
      await solo.close();
    }
  });
});
