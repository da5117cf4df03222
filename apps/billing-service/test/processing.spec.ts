import { priceLookupKey } from '@mna/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileAll } from '../src/modules/subscriptions/reconcile.js';
import { createSubscriptionSync, syncCustomerWith } from '../src/modules/subscriptions/subscriptions.sync.js';
import { createWebhooksRepo } from '../src/modules/webhooks/webhooks.repo.js';
import { createWebhooksService } from '../src/modules/webhooks/webhooks.service.js';
import { ADMIN_USER, type Harness, startHarness, waitFor } from './harness.js';

const SOLO = priceLookupKey('solo', 'month', 'usd');
const GROWTH = priceLookupKey('growth', 'month', 'usd');

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('webhook processing in the BullMQ worker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true, concurrency: 8 });
  });
  afterAll(() => h.close());

  const row = (tenantId: string) =>
    h.owner
      .selectFrom('billing.subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
  const processed = (ids: string[]) =>
    waitFor(async () => {
      const rows = await h.owner
        .selectFrom('billing.stripe_events')
        .select('status')
        .where('id', 'in', ids)
        .execute();
      return rows.length === ids.length && rows.every((r) => r.status === 'processed');
    });

  /** A lifecycle in the fake Stripe, with each event carrying the object as it was at that moment. */
  function lifecycle(tenantId: string, withDelete: boolean) {
    const f = h.fake!;
    const customer = f.customer(tenantId);
    const sub = f.subscribe(customer.id, SOLO);
    const events = [f.delivery('customer.subscription.created', sub)];
    events.push(f.delivery('customer.subscription.updated', { ...sub, cancel_at_period_end: false }));
    const invoice = f.state.invoices.get(sub.latest_invoice as string)!;
    events.push(f.delivery('invoice.paid', invoice));
    events.push(f.delivery('customer.subscription.updated', f.setPrice(sub.id, GROWTH)));
    if (withDelete) events.push(f.delivery('customer.subscription.deleted', f.setStatus(sub.id, 'canceled')));
    return { customer, sub, events };
  }

  it('ends in Stripe’s final state whatever the arrival order (created, updated, paid, upgraded, deleted)', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const withDelete = seed % 2 === 1;
      const tenantId = `org_order_${seed}`;
      const { sub, events } = lifecycle(tenantId, withDelete);
      const order = shuffle(events, seed);
      for (const e of order) expect((await h.deliver(e)).statusCode).toBe(200);
      await processed(events.map((e) => e.event.id));
      const stored = await row(tenantId);
      expect(stored, `seed ${seed}`).toMatchObject({
        stripe_subscription_id: sub.id,
        status: withDelete ? 'canceled' : 'active',
        plan: 'growth',
        interval: 'month',
        currency: 'usd',
        unit_amount: 79_800,
      });
      const ent = await h.app.inject({
        method: 'GET',
        url: `/internal/entitlements/${tenantId}`,
        headers: await h.headers(),
      });
      expect(ent.json().plan, `seed ${seed}`).toBe(withDelete ? 'solo' : 'growth');
    }
  });

  it('the same event delivered 10 times concurrently is applied once', async () => {
    const f = h.fake!;
    const customer = f.customer('org_dup');
    const sub = f.subscribe(customer.id, GROWTH);
    const d = f.delivery('customer.subscription.created', sub);
    await Promise.all(Array.from({ length: 10 }, () => h.deliver(d)));
    await processed([d.event.id]);
    const reads = f.requests.filter((r) => r.method === 'GET' && r.path.includes(`customer=${customer.id}`));
    expect(reads).toHaveLength(1);
    const moves = await h.owner
      .selectFrom('billing.mrr_movements')
      .selectAll()
      .where('tenant_id', '=', 'org_dup')
      .execute();
    expect(moves.map((m) => [m.kind, m.amount])).toEqual([['new', 79_800]]);
  });

  it('retries with backoff: Stripe failing twice, then succeeding, applies the event once', async () => {
    const f = h.fake!;
    const customer = f.customer('org_retry');
    const sub = f.subscribe(customer.id, SOLO);
    f.fail((r) => r.path.includes(`customer=${customer.id}`), 2);
    const d = f.delivery('customer.subscription.created', sub);
    await h.deliver(d);
    await processed([d.event.id]);
    const ev = await h.owner
      .selectFrom('billing.stripe_events')
      .selectAll()
      .where('id', '=', d.event.id)
      .executeTakeFirstOrThrow();
    expect(ev.attempts).toBe(3);
    expect(await row('org_retry')).toMatchObject({ status: 'active', plan: 'solo' });
    const moves = await h.owner
      .selectFrom('billing.mrr_movements')
      .selectAll()
      .where('tenant_id', '=', 'org_retry')
      .execute();
    expect(moves).toHaveLength(1);
  });

  it('dead-letters an event that always fails; an admin lists it and replays it by id and by time range', async () => {
    const f = h.fake!;
    const customer = f.customer('org_dead');
    const sub = f.subscribe(customer.id, GROWTH);
    const stop = f.fail((r) => r.path.includes(`customer=${customer.id}`), -1);
    const first = f.delivery('customer.subscription.created', sub);
    const second = f.delivery('customer.subscription.updated', sub);
    await h.deliver(first);
    await h.deliver(second);
    const admin = await h.headers({ userId: ADMIN_USER });
    await waitFor(async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/billing/admin/webhooks/dead-letters',
        headers: admin,
      });
      return res.json().events.length === 2;
    });
    expect(await row('org_dead')).toBeUndefined();
    const forbidden = await h.app.inject({
      method: 'GET',
      url: '/v1/billing/admin/webhooks/dead-letters',
      headers: await h.headers(),
    });
    expect(forbidden.statusCode).toBe(403);

    stop();
    const byId = await h.app.inject({
      method: 'POST',
      url: '/v1/billing/admin/webhooks/replay',
      headers: admin,
      payload: { eventId: first.event.id },
    });
    expect(byId.statusCode).toBe(202);
    expect(byId.json().replayed).toEqual([first.event.id]);
    await processed([first.event.id]);
    expect(await row('org_dead')).toMatchObject({ status: 'active', plan: 'growth' });

    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 1_000).toISOString();
    const byRange = await h.app.inject({
      method: 'POST',
      url: '/v1/billing/admin/webhooks/replay',
      headers: admin,
      payload: { from, to },
    });
    expect(byRange.json().replayed).toEqual([second.event.id]);
    await processed([second.event.id]);
    const moves = await h.owner
      .selectFrom('billing.mrr_movements')
      .selectAll()
      .where('tenant_id', '=', 'org_dead')
      .execute();
    expect(moves).toHaveLength(1);
  });

  it('maps subscription states to entitlements: kept while active, trialing or past due in grace', async () => {
    const f = h.fake!;
    const cases: Array<[string, string, 'solo' | 'growth']> = [
      ['trialing', 'org_s_trial', 'growth'],
      ['past_due', 'org_s_pastdue', 'growth'],
      ['unpaid', 'org_s_unpaid', 'solo'],
      ['incomplete_expired', 'org_s_expired', 'solo'],
      ['canceled', 'org_s_canceled', 'solo'],
    ];
    for (const [status, tenantId, plan] of cases) {
      const customer = f.customer(tenantId);
      const sub = f.subscribe(customer.id, GROWTH, status);
      const d = f.delivery('customer.subscription.updated', sub);
      await h.deliver(d);
      await processed([d.event.id]);
      const res = await h.app.inject({
        method: 'GET',
        url: `/internal/entitlements/${tenantId}`,
        headers: await h.headers(),
      });
      expect(res.json(), status).toMatchObject({ tenantId, status, plan });
    }
    // Past due beyond its grace period: access drops to the lowest plan.
    await h.owner
      .updateTable('billing.subscriptions')
      .set({ grace_until: new Date(Date.now() - 1_000) })
      .where('tenant_id', '=', 'org_s_pastdue')
      .execute();
    const late = await h.app.inject({
      method: 'GET',
      url: '/internal/entitlements/org_s_pastdue',
      headers: await h.headers(),
    });
    expect(late.json()).toMatchObject({ status: 'past_due', plan: 'solo' });
  });

  it('reconcile re-syncs every customer from Stripe, including one whose events were all lost', async () => {
    const f = h.fake!;
    const lost = f.customer('org_lost');
    f.subscribe(lost.id, GROWTH);
    await h.owner
      .updateTable('billing.subscriptions')
      .set({ status: 'incomplete' })
      .where('tenant_id', '=', 'org_order_2')
      .execute();
    const sync = syncCustomerWith(createSubscriptionSync({ db: h.db, stripe: h.stripe! }));
    const report = await reconcileAll({ db: h.db, stripe: h.stripe!, sync });
    expect(report.failed).toEqual([]);
    expect(report.synced).toBe(report.customers);
    expect(await row('org_lost')).toMatchObject({ status: 'active', plan: 'growth' });
    expect(await row('org_order_2')).toMatchObject({ status: 'active', plan: 'growth' });
  });

  it('coalesces re-reads: a burst for one customer needs fewer reads, a later change is still applied', async () => {
    const f = h.fake!;
    const customer = f.customer('org_burst');
    const sub = f.subscribe(customer.id, SOLO);
    const burst = Array.from({ length: 6 }, () => f.delivery('customer.subscription.updated', sub));
    // All six arrive before the worker looks at any of them.
    const eventsWorker = h.workers!.workers[0]!;
    await eventsWorker.pause();
    for (const d of burst) await h.deliver(d);
    eventsWorker.resume();
    await processed(burst.map((d) => d.event.id));
    const reads = () =>
      f.requests.filter((r) => r.method === 'GET' && r.path.includes(`customer=${customer.id}`)).length;
    expect(reads()).toBeLessThan(6);
    expect(await row('org_burst')).toMatchObject({ plan: 'solo' });
    const before = reads();
    const later = f.delivery('customer.subscription.updated', f.setPrice(sub.id, GROWTH));
    await h.deliver(later);
    await processed([later.event.id]);
    expect(reads()).toBe(before + 1);
    expect(await row('org_burst')).toMatchObject({ plan: 'growth' });
  });

  it('sends notices for trial end and action required, and audits refunds and disputes', async () => {
    const f = h.fake!;
    const customer = f.customer('org_notice', 'owner@notice.test');
    const sub = f.subscribe(customer.id, GROWTH, 'trialing');
    const trial = f.delivery('customer.subscription.trial_will_end', sub);
    const dispute = f.delivery('charge.dispute.created', {
      id: 'ch_disputed',
      object: 'charge',
      customer: customer.id,
    });
    const refund = f.delivery('charge.refunded', {
      id: 'ch_refunded',
      object: 'charge',
      customer: customer.id,
    });
    for (const d of [trial, dispute, refund]) await h.deliver(d);
    await processed([trial, dispute, refund].map((d) => d.event.id));
    await waitFor(async () =>
      h.sent.some((m) => m.to === 'owner@notice.test' && m.subject === 'Your trial ends soon'),
    );
    const audit = await h.owner
      .selectFrom('billing.audit_log')
      .select(['action', 'target', 'actor'])
      .where('tenant_id', '=', 'org_notice')
      .orderBy('action') // the worker processes the two events concurrently: their rows come in either order
      .execute();
    expect(audit).toEqual([
      { action: 'charge.dispute.created', target: 'ch_disputed', actor: 'stripe' },
      { action: 'charge.refunded', target: 'ch_refunded', actor: 'stripe' },
    ]);
  });

  it('reconcile re-queues an event stored but never queued (the enqueue failed after the insert)', async () => {
    const f = h.fake!;
    const customer = f.customer('org_stale');
    const sub = f.subscribe(customer.id, GROWTH);
    const d = f.delivery('customer.subscription.created', sub);
    await h.owner
      .insertInto('billing.stripe_events')
      .values({
        id: d.event.id,
        type: d.event.type,
        customer_id: customer.id,
        stripe_created: new Date(),
        payload: d.payload,
        received_at: new Date(Date.now() - 600_000),
      })
      .execute();
    const webhooks = createWebhooksService({
      repo: createWebhooksRepo(h.db),
      queue: h.eventsQueue,
      webhookSecret: f.webhookSecret,
      toleranceSeconds: 300,
      retry: { attempts: 3, backoffMs: 50 },
    });
    expect(await webhooks.requeueStale(new Date(Date.now() - 300_000))).toBe(1);
    await processed([d.event.id]);
    expect(await row('org_stale')).toMatchObject({ status: 'active', plan: 'growth' });
  });
});
