import { priceLookupKey } from '@mna/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './harness.js';

const GROWTH = priceLookupKey('growth', 'month', 'eur');
const DELAYS = [0, 400, 30_000];

describe('dunning', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true, policy: { graceMs: 1_500, reminderDelaysMs: DELAYS } });
  });
  afterAll(() => h.close());

  const processed = (id: string) =>
    waitFor(
      async () =>
        (
          await h.owner
            .selectFrom('billing.stripe_events')
            .select('status')
            .where('id', '=', id)
            .executeTakeFirst()
        )?.status === 'processed',
    );
  const entitlements = async (tenantId: string) =>
    (
      await h.app.inject({
        method: 'GET',
        url: `/internal/entitlements/${tenantId}`,
        headers: await h.headers(),
      })
    ).json();

  function failPayment(tenantId: string) {
    const f = h.fake!;
    const customer = f.customer(tenantId);
    const sub = f.subscribe(customer.id, GROWTH);
    f.setStatus(sub.id, 'past_due');
    const invoice = f.invoice(sub, 'open', 73_900);
    return { f, customer, sub, invoice, delivery: f.delivery('invoice.payment_failed', invoice) };
  }

  it('payment_failed: past due, grace period, reminders on the schedule; invoice.paid cancels the rest and records the recovery', async () => {
    const { f, sub, invoice, delivery, customer } = failPayment('org_dun_recover');
    await h.deliver(delivery);
    await processed(delivery.event.id);
    const sub1 = await h.app.inject({
      method: 'GET',
      url: '/v1/billing/subscription',
      headers: await h.headers({ tenantId: 'org_dun_recover' }),
    });
    expect(sub1.json()).toMatchObject({ status: 'past_due', plan: 'growth', currency: 'eur' });
    expect(sub1.json().graceUntil).not.toBeNull();
    const jobs = await Promise.all(
      DELAYS.map((_d, step) => h.workers!.dunningQueue.getJob(`dunning.${invoice.id}.${step}`)),
    );
    expect(jobs.map((j) => j?.opts.delay ?? 0)).toEqual(DELAYS);

    // Reminders 0 and 1 go out through the mail transport, to the invoice's address.
    await waitFor(async () => h.sent.filter((m) => m.to === customer.email).length === 2);
    expect(await (await h.workers!.dunningQueue.getJob(`dunning.${invoice.id}.2`))!.getState()).toBe(
      'delayed',
    );
    // A failure delivered again schedules nothing new.
    const again = f.delivery('invoice.payment_failed', invoice);
    await h.deliver(again);
    await processed(again.event.id);

    f.payInvoice(invoice.id);
    f.setStatus(sub.id, 'active');
    const paid = f.delivery('invoice.paid', f.state.invoices.get(invoice.id)!);
    await h.deliver(paid);
    await processed(paid.event.id);
    expect(await h.workers!.dunningQueue.getJob(`dunning.${invoice.id}.2`)).toBeUndefined();
    const dunningCase = await h.owner
      .selectFrom('billing.dunning_cases')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .executeTakeFirstOrThrow();
    expect(dunningCase.recovered_at).not.toBeNull();
    expect(dunningCase.recovered_amount).toBe(73_900);
    expect(await entitlements('org_dun_recover')).toMatchObject({ status: 'active', plan: 'growth' });
    const notes = await h.owner
      .selectFrom('billing.notifications')
      .select(['step', 'status'])
      .where('invoice_id', '=', invoice.id)
      .orderBy('step')
      .execute();
    expect(notes).toEqual([
      { step: 0, status: 'sent' },
      { step: 1, status: 'sent' },
    ]);
  });

  it('a payment failure that arrives after the invoice was paid starts nothing', async () => {
    const { f, sub, invoice, delivery } = failPayment('org_dun_late');
    f.payInvoice(invoice.id);
    f.setStatus(sub.id, 'active');
    await h.deliver(delivery);
    await processed(delivery.event.id);
    expect(
      await h.owner
        .selectFrom('billing.dunning_cases')
        .selectAll()
        .where('invoice_id', '=', invoice.id)
        .execute(),
    ).toEqual([]);
    expect(await entitlements('org_dun_late')).toMatchObject({ status: 'active', plan: 'growth' });
  });

  it('after the grace period without payment, entitlements drop to the lowest plan', async () => {
    const { delivery } = failPayment('org_dun_lapse');
    await h.deliver(delivery);
    await processed(delivery.event.id);
    expect(await entitlements('org_dun_lapse')).toMatchObject({ status: 'past_due', plan: 'growth' });
    await waitFor(async () => (await entitlements('org_dun_lapse')).plan === 'solo', 5_000);
    expect(await entitlements('org_dun_lapse')).toMatchObject({
      status: 'past_due',
      plan: 'solo',
      entitlements: { mcpAccess: false },
    });
  });
});
