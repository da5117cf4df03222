import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, parseDuration } from '../src/modules/partner-webhooks/schedule.js';
import {
  type DeliveryHarness,
  type Receiver,
  startDeliveryHarness,
  startReceiver,
} from './partner-webhooks-delivery.fixtures.js';

const TENANT = 'org_retries';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SCHEDULE = DEFAULT_RETRY_SCHEDULE.split(',').map((d) => parseDuration(d)!);

/**
 * The retry schedule under a controlled clock: no worker runs; each scheduled attempt is driven with
 * `delivery.attempt` at the time the previous one planned, exactly as the queued job would run it.
 */
describe('partner webhook retries', () => {
  let h: DeliveryHarness;
  let receiver: Receiver;
  let now = new Date('2026-04-01T00:00:00.000Z');
  const clock = { now: () => now };
  let answer: { status: number; headers?: Record<string, string> } = { status: 500 };

  beforeAll(async () => {
    // Production defaults: the 11-attempt schedule, ±20 % jitter, 5-day disable, 24 h warning.
    h = await startDeliveryHarness({ clock, workers: false });
    receiver = await startReceiver(() => ({ ...answer, body: 'nope' }));
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const lastAttempt = async (messageId: string) => (await h.attempts(messageId)).at(-1)!;

  it('spans more than 3 days, each retry inside its ±20 % jitter band; then failed, with a notice', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const [id] = await h.seedMessages(TENANT, endpoint.id, [{ retry: true }], { enqueue: false });
    const started = now.getTime();
    for (let step = 1; step <= SCHEDULE.length; step++) {
      const at = now.getTime();
      expect(await h.delivery.attempt({ messageId: id!, trigger: 'scheduled', step })).toBe(
        step < SCHEDULE.length ? 'retrying' : 'failed',
      );
      const attempt = await lastAttempt(id!);
      expect(attempt.attempt_number).toBe(step);
      expect(attempt.created_at.getTime()).toBe(at);
      if (step === SCHEDULE.length) {
        expect(attempt.next_attempt_at).toBeNull();
        break;
      }
      const delay = attempt.next_attempt_at!.getTime() - at;
      const base = SCHEDULE[step]!;
      expect(delay, `delay after attempt ${step}`).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(delay, `delay after attempt ${step}`).toBeLessThanOrEqual(Math.ceil(base * 1.2));
      // The next job waits in BullMQ for exactly that long.
      const job = await h.queue.getJob(`${id}.s${step + 1}`);
      expect(job?.opts.delay).toBe(delay);
      expect(job?.data).toMatchObject({ messageId: id, trigger: 'scheduled', step: step + 1 });
      now = attempt.next_attempt_at!;
    }
    expect(now.getTime() - started).toBeGreaterThan(3 * DAY);
    const [message] = await h.messages([id!]);
    expect(message).toMatchObject({
      status: 'failed',
      attempt_count: SCHEDULE.length,
      next_attempt_at: null,
    });
    expect(receiver.of(id!)).toHaveLength(SCHEDULE.length);
    const notices = await h.notices(endpoint.id);
    expect(notices.map((n) => n.type)).toContain('endpoint.failing');
    expect(notices.find((n) => n.type === 'endpoint.failing')!.data).toMatchObject({
      messageId: id,
      attempts: SCHEDULE.length,
      lastStatusCode: 500,
    });
    const row = await h.endpointRow(endpoint.id);
    expect(row.first_failure_at!.getTime()).toBe(started);
    expect(row.consecutive_failures).toBe(SCHEDULE.length);

    // Failing for 4 days (the last attempt, or the upkeep sweep): warned once, still enabled.
    now = new Date(Math.max(now.getTime(), started + 4 * DAY + 60_000));
    await h.delivery.sweep({ overdueGraceMs: 60_000, limit: 100 });
    expect((await h.notices(endpoint.id)).filter((n) => n.type === 'endpoint.disabling_soon')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ disableAt: new Date(started + 5 * DAY).toISOString() }),
      }),
    ]);
    expect((await h.endpointRow(endpoint.id)).status).toBe('enabled');

    // Still failing at 5 days: the upkeep sweep disables it and records why.
    now = new Date(started + 5 * DAY + 60_000);
    await h.delivery.sweep({ overdueGraceMs: 60_000, limit: 100 });
    const disabled = await h.endpointRow(endpoint.id);
    expect(disabled.status).toBe('disabled');
    expect(disabled.disabled_reason).toMatch(/failing without a success since/);
    const types = (await h.notices(endpoint.id)).map((n) => n.type);
    expect(types.filter((t) => t === 'endpoint.disabling_soon')).toHaveLength(1);
    expect(types.at(-1)).toBe('endpoint.disabled');
  });

  it('jitter reaches both edges of the band with an injected random source', async () => {
    for (const [random, factor] of [
      [() => 0, 0.8],
      [() => 0.5, 1],
      [() => 1, 1.2],
    ] as const) {
      const delivery = h.deliveryWith({ random });
      const endpoint = await h.createEndpoint(TENANT, receiver.url);
      const [id] = await h.seedMessages(TENANT, endpoint.id, [{}], { enqueue: false });
      await delivery.attempt({ messageId: id!, trigger: 'scheduled', step: 1 });
      await delivery.attempt({ messageId: id!, trigger: 'scheduled', step: 2 });
      const attempts = await h.attempts(id!);
      expect(attempts[0]!.next_attempt_at!.getTime() - now.getTime()).toBe(Math.round(5_000 * factor));
      expect(attempts[1]!.next_attempt_at!.getTime() - now.getTime()).toBe(Math.round(300_000 * factor));
    }
  });

  it('honours Retry-After on 429/502/503/504 (seconds or HTTP date, capped at 24 h), not on 500', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const cases = [
      { status: 503, headers: { 'retry-after': '3600' }, expected: HOUR },
      // An HTTP date has whole seconds: the wait is to that instant.
      {
        status: 429,
        headers: { 'retry-after': new Date(now.getTime() + 2 * HOUR).toUTCString() },
        expected: Math.floor((now.getTime() + 2 * HOUR) / 1000) * 1000 - now.getTime(),
      },
      { status: 504, headers: { 'retry-after': String(10 * 86_400) }, expected: DAY },
      { status: 502, headers: { 'retry-after': 'soon' }, expected: null },
      { status: 500, headers: { 'retry-after': '3600' }, expected: null },
    ];
    for (const c of cases) {
      answer = { status: c.status, headers: c.headers };
      const [id] = await h.seedMessages(TENANT, endpoint.id, [{ c: c.status }], { enqueue: false });
      await h.delivery.attempt({ messageId: id!, trigger: 'scheduled', step: 1 });
      const attempt = await lastAttempt(id!);
      expect(attempt.status_code).toBe(c.status);
      const delay = attempt.next_attempt_at!.getTime() - now.getTime();
      if (c.expected === null) {
        // The schedule alone: 5 s ± 20 %.
        expect(delay).toBeGreaterThanOrEqual(4_000);
        expect(delay).toBeLessThanOrEqual(6_000);
      } else {
        expect(delay, `${c.status} ${c.headers['retry-after']}`).toBe(c.expected);
      }
    }
    answer = { status: 500 };
  });

  it('410 Gone disables the endpoint at once; its other pending messages fail without a request', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const [gone, other] = await h.seedMessages(TENANT, endpoint.id, [{ g: 1 }, { g: 2 }], { enqueue: false });
    answer = { status: 410 };
    try {
      expect(await h.delivery.attempt({ messageId: gone!, trigger: 'scheduled', step: 1 })).toBe('failed');
    } finally {
      answer = { status: 500 };
    }
    const row = await h.endpointRow(endpoint.id);
    expect(row).toMatchObject({ status: 'disabled', disabled_reason: 'the endpoint answered 410 Gone' });
    expect((await h.notices(endpoint.id)).map((n) => n.type)).toEqual(['endpoint.disabled']);
    const [message] = await h.messages([gone!]);
    expect(message).toMatchObject({ status: 'failed', next_attempt_at: null });

    expect(await h.delivery.attempt({ messageId: other!, trigger: 'scheduled', step: 1 })).toBe('skipped');
    expect((await h.messages([other!]))[0]!.status).toBe('failed');
    expect(receiver.of(other!)).toHaveLength(0);
    // Resend to a disabled endpoint is refused.
    const resend = await h.call(
      TENANT,
      'POST',
      `/v1/webhooks/endpoints/${endpoint.id}/messages/${other}/resend`,
    );
    expect(resend.statusCode).toBe(409);
    expect(resend.headers['content-type']).toContain('application/problem+json');
  });

  it('a duplicated or stale job never sends twice', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const [id] = await h.seedMessages(TENANT, endpoint.id, [{ d: 1 }], { enqueue: false });
    const [a, b] = await Promise.all([
      h.delivery.attempt({ messageId: id!, trigger: 'scheduled', step: 1 }),
      h.delivery.attempt({ messageId: id!, trigger: 'scheduled', step: 1 }),
    ]);
    expect([a, b].sort()).toEqual(['retrying', 'skipped']);
    expect(await h.delivery.attempt({ messageId: id!, trigger: 'scheduled', step: 3 })).toBe('skipped');
    expect(receiver.of(id!)).toHaveLength(1);
    expect(await h.attempts(id!)).toHaveLength(1);
  });

  it('keeps the first 20 KB of an answer, and a receiver that does not answer in time is a failed attempt', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const [big, slow] = await h.seedMessages(TENANT, endpoint.id, [{ big: 1 }, { slow: 1 }], {
      enqueue: false,
    });
    receiver.answer(() => ({ status: 500, body: `${'é'.repeat(15_000)}\u0000tail` }));
    await h.delivery.attempt({ messageId: big!, trigger: 'scheduled', step: 1 });
    const kept = (await lastAttempt(big!)).response_body!;
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(20 * 1024);
    expect(kept.startsWith('éé')).toBe(true);

    receiver.answer(() => ({ body: 'late', delayMs: 1_500 }));
    try {
      const started = Date.now();
      await h.deliveryWith({ timeoutMs: 300 }).attempt({ messageId: slow!, trigger: 'scheduled', step: 1 });
      expect(Date.now() - started).toBeLessThan(1_400);
    } finally {
      receiver.answer(() => ({ ...answer, body: 'nope' }));
    }
    const timedOut = await lastAttempt(slow!);
    expect(timedOut).toMatchObject({ status_code: null, error: 'timed out after 300 ms' });
    expect((await h.messages([slow!]))[0]!.status).toBe('pending');
  });

  it('the upkeep sweep re-enqueues an attempt whose job was lost', async () => {
    const endpoint = await h.createEndpoint(TENANT, receiver.url);
    const [id] = await h.seedMessages(TENANT, endpoint.id, [{ lost: 1 }], { enqueue: false });
    await h.delivery.attempt({ messageId: id!, trigger: 'scheduled', step: 1 });
    const job = await h.queue.getJob(`${id}.s2`);
    await job!.remove();
    // Not yet overdue: nothing to do.
    await h.delivery.sweep({ overdueGraceMs: 60_000, limit: 100 });
    expect(await h.queue.getJob(`${id}.s2`)).toBeUndefined();
    now = new Date((await lastAttempt(id!)).next_attempt_at!.getTime() + 61_000);
    await h.delivery.sweep({ overdueGraceMs: 60_000, limit: 100 });
    expect((await h.queue.getJob(`${id}.s2`))?.data).toMatchObject({ messageId: id, step: 2 });
  });
});
