import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness.js';
import {
  type DeliveryHarness,
  type Receiver,
  startDeliveryHarness,
  startReceiver,
} from './partner-webhooks-delivery.fixtures.js';

const TENANT = 'org_delivery_a';
const OTHER = 'org_delivery_b';

const verify = (secret: string, r: { body: string; headers: Record<string, unknown> }) =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>);

describe('partner webhook delivery', () => {
  let h: DeliveryHarness;
  let receiver: Receiver;

  beforeAll(async () => {
    h = await startDeliveryHarness({ env: { WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const delivered = (ids: string[]) =>
    waitFor(async () => (await h.pendingCount(ids)) === 0 && (await h.messages(ids)), 30_000);

  it('signs per Standard Webhooks: unicode, empty and ~1 MB payloads verify with the official library', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const datas = [
      { title: 'Fusión 합병 合併 اندماج — 🚀🤝 ñ\u0301 \u2028 "quoted" \\ back', n: 1 },
      {},
      { blob: 'x'.repeat(1_000_000), tail: 'é' },
    ];
    const ids = await h.seedMessages(TENANT, endpoint.id, datas);
    const rows = await delivered(ids);
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);

    for (const [i, id] of ids.entries()) {
      const [request] = receiver.of(id);
      expect(request, `message ${i} reached the receiver`).toBeDefined();
      const event = verify(endpoint.secret, request!) as { data: unknown; id: string; type: string };
      expect(event.data).toEqual(datas[i]);
      expect(event.type).toBe('document.indexed');
      expect(request!.headers['webhook-id']).toBe(id);
      expect(request!.headers['content-type']).toBe('application/json');
      // A different secret must not verify: the check above can fail.
      expect(() => verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, request!)).toThrow(
        /No matching signature/,
      );
      // A changed body must not verify either.
      expect(() => verify(endpoint.secret, { ...request!, body: `${request!.body} ` })).toThrow();
    }
    expect(receiver.of(ids[2]!)[0]!.body.length).toBeGreaterThan(1_000_000);
  });

  it('during rotation signs with both secrets: a receiver with only the old or only the new one verifies', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const rotated = await h.call(TENANT, 'POST', `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().secret as string;
    expect(newSecret).not.toBe(endpoint.secret);

    const [id] = await h.seedMessages(TENANT, endpoint.id, [{ rotation: true }]);
    await delivered([id!]);
    const [request] = receiver.of(id!);
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(endpoint.secret, request!)).toMatchObject({ data: { rotation: true } });
    expect(verify(newSecret, request!)).toMatchObject({ data: { rotation: true } });
  });

  it('does not follow a redirect, even to a private address: a 3xx is a failed attempt', async () => {
    const target = await startReceiver();
    const redirecting = await startReceiver(() => ({
      status: 302,
      headers: { location: `http://127.0.0.1:${target.port}/internal` },
    }));
    const metadata = await startReceiver(() => ({
      status: 307,
      headers: { location: 'http://169.254.169.254/latest/meta-data/' },
    }));
    try {
      for (const source of [redirecting, metadata]) {
        const endpoint = await h.createEndpoint(TENANT, source.url);
        const [id] = await h.seedMessages(TENANT, endpoint.id, [{ redirect: true }]);
        const [row] = await delivered([id!]);
        expect(row!.status).toBe('failed');
        const attempts = await h.attempts(id!);
        expect(attempts.map((a) => a.status_code)).toEqual(Array(3).fill(source === redirecting ? 302 : 307));
        expect(source.of(id!)).toHaveLength(3);
      }
      expect(target.received).toHaveLength(0);
    } finally {
      await target.close();
      await redirecting.close();
      await metadata.close();
    }
  });

  it('test send, resend (manual) and the attempt log with filters, cursor and tenant isolation', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const base = `/v1/webhooks/endpoints/${endpoint.id}`;

    const test = await h.call(TENANT, 'POST', `${base}/test`, { eventType: 'invoice.paid' });
    expect(test.statusCode).toBe(202);
    const { messageId: testMessage, eventId } = test.json();
    await delivered([testMessage]);
    const testEvent = verify(endpoint.secret, receiver.of(testMessage)[0]!) as Record<string, unknown>;
    expect(testEvent).toMatchObject({ id: eventId, type: 'invoice.paid', tenantId: TENANT });

    const ids = await h.seedMessages(TENANT, endpoint.id, [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    await delivered(ids);

    const resend = await h.call(TENANT, 'POST', `${base}/messages/${ids[0]}/resend`);
    expect(resend.statusCode).toBe(202);
    await waitFor(async () => (await h.attempts(ids[0]!)).length === 2);
    const attempts = await h.attempts(ids[0]!);
    expect(attempts.map((a) => [a.attempt_number, a.trigger, a.status_code])).toEqual([
      [1, 'scheduled', 200],
      [2, 'manual', 200],
    ]);
    expect(receiver.of(ids[0]!)).toHaveLength(2);

    // Pages of 2 over 5 messages: every message once, newest first.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await h.call(
        TENANT,
        'GET',
        `${base}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.statusCode).toBe(200);
      const body = page.json();
      seen.push(...body.deliveries.map((d: { messageId: string }) => d.messageId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids, testMessage].sort());

    const list = (await h.call(TENANT, 'GET', `${base}/deliveries?eventType=invoice.paid`)).json();
    expect(list.deliveries).toHaveLength(1);
    expect(list.deliveries[0]).toMatchObject({
      messageId: testMessage,
      status: 'delivered',
      attemptCount: 1,
      attempts: [
        { attemptNumber: 1, trigger: 'scheduled', statusCode: 200, responseBody: 'ok', error: null },
      ],
    });
    const failedOnly = (await h.call(TENANT, 'GET', `${base}/deliveries?status=failed`)).json();
    expect(failedOnly.deliveries).toEqual([]);

    expect((await h.call(TENANT, 'GET', `${base}/deliveries?cursor=bm90LWpzb24`)).statusCode).toBe(400);
    expect((await h.call(OTHER, 'GET', `${base}/deliveries`)).statusCode).toBe(404);
    expect((await h.call(OTHER, 'POST', `${base}/messages/${ids[1]}/resend`)).statusCode).toBe(404);
    expect((await h.call(OTHER, 'POST', `${base}/test`, {})).statusCode).toBe(404);

    // Health on the endpoint's GET and as gauges.
    const got = (await h.call(TENANT, 'GET', base)).json();
    expect(got.health).toMatchObject({
      successRate1h: 1,
      successRate24h: 1,
      consecutiveFailures: 0,
      firstFailureAt: null,
    });
    expect(got.health.p95LatencyMs1h).toBeGreaterThanOrEqual(0);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(
      `webhook_endpoint_success_ratio{endpoint_id="${endpoint.id}",tenant_id="${TENANT}",window="1h"`,
    );
    expect(metrics.body).toMatch(/webhook_endpoint_latency_p95_seconds\{endpoint_id=/);
    expect(metrics.body).toContain('webhook_endpoint_health_up{service="billing-test"} 1');
  });

  it('health counts failures: rate, streak and first failure time', async () => {
    const failing = await startReceiver(() => ({ status: 500, body: 'down' }));
    try {
      const endpoint = await h.createEndpoint(TENANT, failing.url);
      const ids = await h.seedMessages(TENANT, endpoint.id, [{ a: 1 }, { a: 2 }]);
      const rows = await delivered(ids);
      expect(rows.map((r) => r.status)).toEqual(['failed', 'failed']);
      const health = (await h.call(TENANT, 'GET', `/v1/webhooks/endpoints/${endpoint.id}`)).json().health;
      expect(health).toMatchObject({ successRate1h: 0, successRate24h: 0, consecutiveFailures: 6 });
      expect(Date.parse(health.firstFailureAt)).toBeLessThanOrEqual(Date.now());
      const attempts = await h.attempts(ids[0]!);
      expect(attempts.map((a) => a.response_body)).toEqual(['down', 'down', 'down']);
      expect(attempts.at(-1)!.next_attempt_at).toBeNull();
      expect(attempts[0]!.next_attempt_at).not.toBeNull();
      const notices = await h.notices(endpoint.id);
      expect(notices.map((n) => n.type)).toEqual(['endpoint.failing', 'endpoint.failing']);
    } finally {
      await failing.close();
    }
  });
});
