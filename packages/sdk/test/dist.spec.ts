import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

// The built package (`pnpm --filter @mna/sdk build`, run by the test script first), as a consumer loads it.
const dist = new URL('../dist/', import.meta.url);

describe('the built package', () => {
  it('imports only its declared dependencies, nothing from the private workspace packages', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const dependencies = Object.keys(manifest.dependencies);
    const files = readdirSync(dist).filter((f) => /\.(js|d\.ts)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
    for (const file of files) {
      const text = readFileSync(new URL(file, dist), 'utf8');
      const imported = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
      const packages = imported.filter((name) => !name!.startsWith('.')).map((name) => name!.split('/')[0]!);
      expect(packages.filter((name) => !dependencies.includes(name))).toEqual([]);
      expect(text).not.toContain('@mna/');
    }
  });

  it('loads, exposes every public route and no internal one, and verifies a webhook', async () => {
    const sdk = await import(new URL('index.js', dist).href);
    const client = sdk.createClient({ baseUrl: 'http://127.0.0.1:9' });
    expect(Object.keys(client).sort()).toEqual(['ai', 'billing', 'search', 'webhooks']);
    expect(typeof client.search.search.pages).toBe('function');
    expect(typeof client.webhooks.createEndpoint).toBe('function');
    for (const [name, routes] of Object.entries(
      sdk.API as Record<string, Record<string, { path: string; auth: string }>>,
    )) {
      for (const [key, route] of Object.entries(routes)) {
        const exposed =
          route.auth !== 'internal' && route.path.startsWith('/v1/') && route.path !== '/v1/mcp';
        expect(typeof client[name][key], `${name}.${key}`).toBe(exposed ? 'function' : 'undefined');
      }
    }
    expect(client.billing.entitlements).toBeUndefined();
    expect(client.search.graph).toBeUndefined();

    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const payload = JSON.stringify({
      id: 'evt_abcdefgh12',
      type: 'invoice.paid',
      created: new Date().toISOString(),
      tenantId: 'org_1',
      sequence: 1,
      resourceId: 'in_1',
      data: { invoiceId: 'in_1' },
    });
    const now = new Date();
    const headers = {
      'webhook-id': 'msg_abcdefgh12',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_abcdefgh12', now, payload),
    };
    expect(sdk.verifyWebhook(payload, headers, secret).type).toBe('invoice.paid');
    expect(() => sdk.verifyWebhook(payload, headers, `whsec_${randomBytes(32).toString('base64')}`)).toThrow(
      sdk.WebhookVerificationError,
    );
  });
});
