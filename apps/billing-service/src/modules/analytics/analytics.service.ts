import type { AnalyticsSchema, PlanId } from '@mna/shared';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { BillingDatabase } from '../../db/schema.js';
import { asSystem, type Trx } from '../../db/scope.js';
import { monthlyValue } from '../subscriptions/subscriptions.sync.js';

type Analytics = z.output<typeof AnalyticsSchema>;
type Movements = Analytics['movements'][string];
const DEFAULT_PERIOD_MS = 30 * 86_400_000;
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : 0);
const add = (into: Record<string, number>, key: string, value: number) => {
  into[key] = (into[key] ?? 0) + value;
};

/**
 * Revenue analytics from the stored subscription state, per currency and never converted. MRR counts
 * active, trialing and past-due subscriptions; an annual price counts as round(amount / 12) a month.
 */
export function createAnalyticsService(deps: { db: Kysely<BillingDatabase>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());

  return (range: { from?: string | undefined; to?: string | undefined }): Promise<Analytics> =>
    asSystem(deps.db, (trx) => compute(trx, range));

  async function compute(
    db: Trx,
    range: { from?: string | undefined; to?: string | undefined },
  ): Promise<Analytics> {
    const to = range.to ? new Date(range.to) : now();
    const from = range.from ? new Date(range.from) : new Date(to.getTime() - DEFAULT_PERIOD_MS);
    const subs = await db.selectFrom('billing.subscriptions').selectAll().execute();
    const mrr: Record<string, number> = {};
    const counts = new Map<string, number>();
    for (const s of subs) {
      const value = monthlyValue(s);
      if (value > 0 && s.currency) add(mrr, s.currency, value);
      if (s.plan) counts.set(`${s.plan}|${s.status}`, (counts.get(`${s.plan}|${s.status}`) ?? 0) + 1);
    }
    const arr = Object.fromEntries(Object.entries(mrr).map(([c, v]) => [c, v * 12]));

    const moves = await db
      .selectFrom('billing.mrr_movements')
      .select(['currency', 'kind', 'tenant_id', 'amount', 'occurred_at'])
      .where('occurred_at', '>=', from)
      .execute();
    const movements: Record<string, Movements> = {};
    const netSinceFrom: Record<string, number> = {};
    const churnedTenants = new Set<string>();
    for (const m of moves) {
      const signed = m.kind === 'new' || m.kind === 'expansion' ? m.amount : -m.amount;
      add(netSinceFrom, m.currency, signed);
      if (m.occurred_at >= to) continue;
      movements[m.currency] ??= { new: 0, expansion: 0, contraction: 0, churned: 0 };
      movements[m.currency]![m.kind] += m.amount;
      if (m.kind === 'churned') churnedTenants.add(m.tenant_id);
    }
    // MRR at the start of the period: today's MRR with every movement since then undone.
    const revenueChurnRate: Record<string, number> = {};
    for (const currency of new Set([...Object.keys(mrr), ...Object.keys(movements)])) {
      const atStart = (mrr[currency] ?? 0) - (netSinceFrom[currency] ?? 0);
      const lost = (movements[currency]?.churned ?? 0) + (movements[currency]?.contraction ?? 0);
      revenueChurnRate[currency] = ratio(lost, atStart);
    }
    const logosAtStart = subs.filter(
      (s) => s.started_at < from && (!s.canceled_at || s.canceled_at >= from),
    ).length;

    const dunning = await db
      .selectFrom('billing.dunning_cases')
      .select(['currency', 'recovered_at', 'recovered_amount'])
      .where('started_at', '>=', from)
      .where('started_at', '<', to)
      .execute();
    const recovered = dunning.filter((d) => d.recovered_at);
    const recoveredRevenue: Record<string, number> = {};
    for (const d of recovered) add(recoveredRevenue, d.currency, d.recovered_amount ?? 0);

    return {
      period: { from: from.toISOString(), to: to.toISOString() },
      mrr,
      arr,
      subscribers: [...counts].map(([key, count]) => {
        const [plan, status] = key.split('|') as [PlanId, Analytics['subscribers'][number]['status']];
        return { plan, status, count };
      }),
      movements,
      logoChurnRate: ratio(churnedTenants.size, logosAtStart),
      revenueChurnRate,
      dunning: {
        started: dunning.length,
        recovered: recovered.length,
        recoveryRate: ratio(recovered.length, dunning.length),
        recoveredRevenue,
      },
    };
  }
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
