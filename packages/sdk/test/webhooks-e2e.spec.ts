import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@mna/shared';
import { createRedis, startPlatformEventsRelay } from '@mna/shared/kit';
import { TEST_REDIS_URL } from '@mna/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryWorkers } from '../../../apps/billing-service/src/modules/partner-webhooks/delivery.jobs.js';
import { createFanOutWorker } from '../../../apps/billing-service/src/modules/partner-webhooks/fan-out.js';
import { testConfig } from '../../../apps/billing-service/test/helpers.js';
import { createClient, verifyWebhook } from '../src/index.js';
import { type Platform, startPlatform } from './stack.js';

type Received = { body: string; headers: IncomingHttpHeaders };

/** A partner's receiver on loopback: records every request and answers 204. */
async function startReceiver() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The whole chain of a platform event with the real parts: a document ingested through the gateway is
// indexed by search's worker, which writes document.indexed to search's outbox in the same transaction;
// search's relay moves it to the platform-events queue; billing's fan-out makes one message per
// subscribed endpoint of the tenant; the delivery worker signs and sends it to the partner's receiver,
// which verifies it with the SDK. Loopback receivers need WEBHOOK_ALLOW_PRIVATE_URLS (tests only).
describe('partner webhooks end to end', () => {
  const ALLOW_PRIVATE = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' };
  const logger = createLogger({ service: 'sdk-e2e', level: 'silent' });
  let platform: Platform;
  let closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    platform = await startPlatform({ billingEnv: ALLOW_PRIVATE });
    const { search, billing } = platform;
    const producer = createRedis(TEST_REDIS_URL);
    const workerRedis = createRedis(TEST_REDIS_URL, 'worker');
    // Every service relays to the platform-events queue of one Redis prefix: billing's here.
    const relay = startPlatformEventsRelay({
      db: search.db,
      schema: 'search',
      connection: producer,
      prefix: billing.prefix,
      logger,
    });
    const fanOut = createFanOutWorker({
      db: billing.db,
      connection: workerRedis,
      prefix: billing.prefix,
      logger,
    });
    const delivery = await createDeliveryWorkers({
      db: billing.db,
      config: testConfig(ALLOW_PRIVATE),
      connection: workerRedis,
      prefix: billing.prefix,
      logger,
      sweep: false,
    });
    closers = [
      () => relay.close(),
      () => fanOut.close(),
      () => delivery.close(),
      async () => {
        producer.disconnect();
        workerRedis.disconnect();
      },
    ];
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await platform?.close();
  });

  it('delivers document.indexed to the tenant’s subscribed endpoint, signed, and to no other tenant', async () => {
    const mine = await startReceiver();
    const theirs = await startReceiver();
    try {
      const client = (org: string) =>
        createClient({ baseUrl: platform.gatewayUrl, token: () => platform.token(org) });
      const mna = client('org_hooks_a');
      const endpoint = await mna.webhooks.createEndpoint({
        body: { url: mine.url, events: ['document.indexed'], description: 'deal room sync' },
      });
      await client('org_hooks_b').webhooks.createEndpoint({
        body: { url: theirs.url, events: ['document.indexed'] },
      });

      const externalId = `memo-${randomUUID().slice(0, 8)}`;
      const { id } = await mna.search.ingestDocument({
        body: {
          externalId,
          kind: 'deal_memo',
          title: 'Project Heron — café chain roll-up',
          content: 'Heron buys three regional café chains; EBITDA margin 14 %, net debt 1.2x.',
        },
      });

      const delivered = await until(() => mine.received[0]);
      const event = verifyWebhook(
        delivered.body,
        delivered.headers as Record<string, string>,
        endpoint.secret,
      );
      expect(event).toMatchObject({
        type: 'document.indexed',
        tenantId: 'org_hooks_a',
        resourceId: id,
        sequence: 1,
        data: { documentId: id, externalId, title: 'Project Heron — café chain roll-up', status: 'indexed' },
      });
      // webhook-id names the message (one per endpoint and event, the same on every retry).
      expect(delivered.headers['webhook-id']).toMatch(/^msg_/);
      expect(() =>
        verifyWebhook(
          delivered.body,
          delivered.headers as Record<string, string>,
          `whsec_${'A'.repeat(43)}=`,
        ),
      ).toThrow();

      // The attempt is in the endpoint's log as delivered on the first try.
      const deadline = Date.now() + 10_000;
      let deliveries = await mna.webhooks.listDeliveries({ params: { id: endpoint.id }, query: {} });
      while (deliveries.deliveries[0]?.status !== 'delivered' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        deliveries = await mna.webhooks.listDeliveries({ params: { id: endpoint.id }, query: {} });
      }
      expect(deliveries.deliveries).toHaveLength(1);
      expect(deliveries.deliveries[0]).toMatchObject({
        messageId: delivered.headers['webhook-id'],
        eventId: event.id,
        eventType: 'document.indexed',
        status: 'delivered',
        attemptCount: 1,
        attempts: [{ attemptNumber: 1, trigger: 'scheduled', statusCode: 204 }],
      });

      // Give a stray delivery time to arrive: the other tenant's endpoint got nothing, and ours once.
      await new Promise((r) => setTimeout(r, 500));
      expect(theirs.received).toEqual([]);
      expect(mine.received).toHaveLength(1);
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});
