import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../src/index.js';

// Signatures are made by the official `standardwebhooks` library, as billing-service delivers them.
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function event(data: Record<string, unknown> = {}, type = 'document.indexed') {
  return {
    id: `evt_${randomBytes(8).toString('hex')}`,
    type,
    created: new Date().toISOString(),
    tenantId: 'org_partner',
    sequence: 3,
    resourceId: 'doc-1',
    data: {
      documentId: '6c0f8f5e-3f55-4d4b-9a59-0d3b5c2d7d11',
      externalId: 'memo-1',
      title: 'Deal memo',
      status: 'indexed',
      chunkCount: 2,
      ...data,
    },
  };
}

function signed(payload: string, secrets: string[], at = new Date()) {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const signature = secrets.map((s) => new Webhook(s).sign(id, at, payload)).join(' ');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

describe('verifyWebhook', () => {
  it('verifies a delivery and returns the typed event (unicode and large bodies too)', () => {
    const secret = newSecret();
    for (const title of ['Fusion Société Générale — 株式会社 🚀', 'x'.repeat(1_000_000)]) {
      const payload = JSON.stringify(event({ title }));
      const verified = verifyWebhook(payload, signed(payload, [secret]), secret);
      expect(verified.type).toBe('document.indexed');
      if (verified.type === 'document.indexed') expect(verified.data.title).toBe(title);
    }
  });

  it('takes a fetch Headers object and mixed-case header names', () => {
    const secret = newSecret();
    const payload = JSON.stringify(event());
    const headers = signed(payload, [secret]);
    expect(verifyWebhook(payload, new Headers(headers), secret).sequence).toBe(3);
    const shouted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(payload, shouted, secret).tenantId).toBe('org_partner');
  });

  it('during rotation, a receiver with only the old or only the new secret verifies', () => {
    const [previous, next] = [newSecret(), newSecret()];
    const payload = JSON.stringify(event());
    const headers = signed(payload, [next, previous]);
    expect(verifyWebhook(payload, headers, previous).id).toMatch(/^evt_/);
    expect(verifyWebhook(payload, headers, next).id).toMatch(/^evt_/);
  });

  it('refuses a changed body, another secret, a stale timestamp, missing headers and a non-event', () => {
    const secret = newSecret();
    const payload = JSON.stringify(event());
    const headers = signed(payload, [secret]);
    const refused = (run: () => unknown) => expect(run).toThrow(WebhookVerificationError);
    refused(() => verifyWebhook(payload.replace('memo-1', 'memo-2'), headers, secret));
    refused(() => verifyWebhook(payload, headers, newSecret()));
    refused(() =>
      verifyWebhook(payload, signed(payload, [secret], new Date(Date.now() - 10 * 60_000)), secret),
    );
    refused(() => verifyWebhook(payload, { 'webhook-id': headers['webhook-id'] }, secret));
    const notAnEvent = JSON.stringify({ hello: 'world' });
    refused(() => verifyWebhook(notAnEvent, signed(notAnEvent, [secret]), secret));
  });
});
