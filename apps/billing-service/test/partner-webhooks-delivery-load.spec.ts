import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness.js';
import {
  type DeliveryHarness,
  type Receiver,
  startDeliveryHarness,
  startReceiver,
} from './partner-webhooks-delivery.fixtures.js';

const TENANT = 'org_load';
const MESSAGES = 500;
// The production shape scaled down: 5 attempts, milliseconds instead of hours, ±20 % jitter.
const SCHEDULE = '0,20ms,50ms,100ms,200ms';
const ATTEMPTS = 5;

describe('partner webhook delivery under a flaky receiver', () => {
  let h: DeliveryHarness;
  let receiver: Receiver;

  beforeAll(async () => {
    h = await startDeliveryHarness({ env: { WEBHOOK_RETRY_SCHEDULE: SCHEDULE } });
    // Fails half the time, at random, with 500 or 503.
    receiver = await startReceiver(() =>
      Math.random() < 0.5 ? { status: Math.random() < 0.5 ? 500 : 503, body: 'flaky' } : { body: 'ok' },
    );
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  it('500 messages each end delivered or failed within their attempts; none lost; every attempt logged', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const ids = await h.seedMessages(
      TENANT,
      endpoint.id,
      Array.from({ length: MESSAGES }, (_, i) => ({ i })),
    );
    await waitFor(async () => (await h.pendingCount(ids)) === 0, 60_000);

    const messages = await h.messages(ids);
    expect(messages).toHaveLength(MESSAGES);
    const { rows: attempts } = await sql<{
      message_id: string;
      attempt_number: number;
      status_code: number | null;
      trigger: string;
    }>`select message_id, attempt_number, status_code, trigger from billing.webhook_attempts
        where message_id = any(${ids}) order by message_id, attempt_number`.execute(h.owner);
    const byMessage = new Map<string, typeof attempts>();
    for (const a of attempts) byMessage.set(a.message_id, [...(byMessage.get(a.message_id) ?? []), a]);

    let delivered = 0;
    for (const m of messages) {
      const logged = byMessage.get(m.id) ?? [];
      // Every request the receiver got is one logged attempt, numbered 1..n.
      expect(receiver.of(m.id)).toHaveLength(logged.length);
      expect(logged.map((a) => a.attempt_number)).toEqual(logged.map((_, i) => i + 1));
      expect(m.attempt_count).toBe(logged.length);
      expect(logged.length).toBeGreaterThanOrEqual(1);
      expect(logged.length).toBeLessThanOrEqual(ATTEMPTS);
      expect(logged.every((a) => a.trigger === 'scheduled')).toBe(true);
      const ok = logged.map((a) => a.status_code !== null && a.status_code < 300);
      if (m.status === 'delivered') {
        delivered++;
        // Only the last attempt succeeded; nothing was sent after it.
        expect(ok).toEqual([...Array(logged.length - 1).fill(false), true]);
        expect(m.delivered_at).not.toBeNull();
      } else {
        expect(m.status).toBe('failed');
        expect(ok).toEqual(Array(ATTEMPTS).fill(false));
        expect(m.delivered_at).toBeNull();
      }
    }
    expect(receiver.received).toHaveLength(attempts.length);
    // With p = 0.5 per attempt, about 1 in 32 messages fails all five; the bounds are loose on purpose.
    expect(delivered).toBeGreaterThan(MESSAGES * 0.9);
    expect(delivered).toBeLessThan(MESSAGES);
    const failing = (await h.notices(endpoint.id)).filter((n) => n.type === 'endpoint.failing');
    expect(failing).toHaveLength(MESSAGES - delivered);
  });
});
