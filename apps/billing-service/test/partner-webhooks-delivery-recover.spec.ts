import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness.js';
import {
  type DeliveryHarness,
  type Receiver,
  startDeliveryHarness,
  startReceiver,
} from './partner-webhooks-delivery.fixtures.js';

const TENANT = 'org_recover';
const OTHER = 'org_recover_other';
const HOUR = 3_600_000;

describe('partner webhook recovery', () => {
  let h: DeliveryHarness;
  let receiver: Receiver;
  let up = false;

  beforeAll(async () => {
    // One attempt each: a failure is final at once.
    h = await startDeliveryHarness({ env: { WEBHOOK_RETRY_SCHEDULE: '0' } });
    receiver = await startReceiver(() => (up ? { body: 'ok' } : { status: 500, body: 'down' }));
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const settled = (ids: string[]) => waitFor(async () => (await h.pendingCount(ids)) === 0, 30_000);
  const runRecovery = async (base: string, body: Record<string, string>) => {
    const started = await h.call(TENANT, 'POST', `${base}/recover`, body);
    expect(started.statusCode).toBe(202);
    const { recoveryId } = started.json();
    return waitFor(async () => {
      const progress = await h.call(TENANT, 'GET', `${base}/recoveries/${recoveryId}`);
      expect(progress.statusCode).toBe(200);
      const value = progress.json();
      return value.status === 'completed' && value;
    });
  };

  it('re-sends exactly the failed, never-delivered messages of the period; a second run sends nothing', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const base = `/v1/webhooks/endpoints/${endpoint.id}`;
    const now = Date.now();
    const since = new Date(now - 2 * HOUR);
    const until = new Date(now + HOUR);

    // Before the period: failed, must stay out of the recovery.
    const early = await h.seedMessages(TENANT, endpoint.id, [{ early: 1 }, { early: 2 }], {
      createdAt: new Date(now - 5 * HOUR),
    });
    // In the period: six fail (receiver down), three are delivered (receiver up).
    const failed = await h.seedMessages(
      TENANT,
      endpoint.id,
      Array.from({ length: 6 }, (_, i) => ({ failed: i })),
      { createdAt: new Date(now - HOUR) },
    );
    await settled([...early, ...failed]);
    up = true;
    const ok = await h.seedMessages(TENANT, endpoint.id, [{ ok: 1 }, { ok: 2 }, { ok: 3 }], {
      createdAt: new Date(now - HOUR),
    });
    await settled(ok);
    expect((await h.messages(failed)).every((m) => m.status === 'failed')).toBe(true);
    expect((await h.messages(ok)).every((m) => m.status === 'delivered')).toBe(true);
    const before = receiver.received.length;

    const first = await runRecovery(base, { since: since.toISOString(), until: until.toISOString() });
    expect(first).toMatchObject({
      total: 6,
      sent: 6,
      endpointId: endpoint.id,
      finishedAt: expect.any(String),
    });
    const resent = receiver.received.slice(before).map((r) => r.headers['webhook-id']);
    expect(resent.sort()).toEqual([...failed].sort());
    expect((await h.messages(failed)).every((m) => m.status === 'delivered')).toBe(true);
    expect((await h.messages(early)).every((m) => m.status === 'failed')).toBe(true);
    const attempts = await h.attempts(failed[0]!);
    expect(attempts.map((a) => [a.attempt_number, a.trigger, a.status_code])).toEqual([
      [1, 'scheduled', 500],
      [2, 'manual', 200],
    ]);

    const second = await runRecovery(base, { since: since.toISOString(), until: until.toISOString() });
    expect(second).toMatchObject({ total: 0, sent: 0 });
    expect(receiver.received.length).toBe(before + 6);

    // Only the caller's endpoint and recovery; bad periods are 400 problems.
    expect((await h.call(OTHER, 'POST', `${base}/recover`, { since: since.toISOString() })).statusCode).toBe(
      404,
    );
    expect((await h.call(OTHER, 'GET', `${base}/recoveries/${first.id}`)).statusCode).toBe(404);
    const backwards = await h.call(TENANT, 'POST', `${base}/recover`, {
      since: until.toISOString(),
      until: since.toISOString(),
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.headers['content-type']).toContain('application/problem+json');
  });

  it('asking again while a recovery runs answers the running one', async () => {
    up = false;
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const base = `/v1/webhooks/endpoints/${endpoint.id}`;
    const failed = await h.seedMessages(
      TENANT,
      endpoint.id,
      Array.from({ length: 3 }, (_, i) => ({ i })),
    );
    await settled(failed);
    // Slow the receiver so the recovery is still running when asked again.
    receiver.answer(() => ({ body: 'ok', delayMs: 300 }));
    const since = new Date(Date.now() - HOUR).toISOString();
    const [a, b] = [
      await h.call(TENANT, 'POST', `${base}/recover`, { since }),
      await h.call(TENANT, 'POST', `${base}/recover`, { since }),
    ];
    expect(a.statusCode).toBe(202);
    expect(b.json().recoveryId).toBe(a.json().recoveryId);
    const done = await waitFor(async () => {
      const value = (await h.call(TENANT, 'GET', `${base}/recoveries/${a.json().recoveryId}`)).json();
      return value.status === 'completed' && value;
    });
    expect(done).toMatchObject({ total: 3, sent: 3 });
  });
});
