import { type Kysely, sql } from 'kysely';
import type { BillingDatabase } from '../../db/schema.js';
import { asSystem, asTenant, type Trx } from '../../db/scope.js';
import { microsecondText } from './delivery.repo.js';

type Period = { since: Date; until: Date };

// Failed and never delivered: what a recovery re-sends.
const failedIn = (trx: Trx, endpointId: string, period: Period) =>
  trx
    .selectFrom('billing.webhook_messages')
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'failed')
    .where('delivered_at', 'is', null)
    .where('created_at', '>=', period.since)
    .where('created_at', '<', period.until);

/** Recoveries: one running per endpoint (a unique partial index), progress counted as it goes. */
export function createRecoverRepo(db: Kysely<BillingDatabase>) {
  return {
    /** Starts a recovery, or answers the one already running for the endpoint (then `created` is false). */
    start: (tenantId: string, endpointId: string, period: Period) =>
      asTenant(db, tenantId, async (trx) => {
        const counted = await failedIn(trx, endpointId, period)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow();
        const inserted = await trx
          .insertInto('billing.webhook_recoveries')
          .values({
            endpoint_id: endpointId,
            tenant_id: tenantId,
            since: period.since,
            until: period.until,
            total: Number(counted.n),
          })
          .onConflict((oc) => oc.column('endpoint_id').where('status', '=', 'running').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) return { id: inserted.id, created: true };
        const running = await trx
          .selectFrom('billing.webhook_recoveries')
          .select('id')
          .where('endpoint_id', '=', endpointId)
          .where('status', '=', 'running')
          .executeTakeFirstOrThrow();
        return { id: running.id, created: false };
      }),

    get: (tenantId: string, endpointId: string, recoveryId: string) =>
      asTenant(db, tenantId, (trx) =>
        trx
          .selectFrom('billing.webhook_recoveries')
          .selectAll()
          .where('id', '=', recoveryId)
          .where('endpoint_id', '=', endpointId)
          .executeTakeFirst(),
      ),

    running: (recoveryId: string) =>
      asSystem(db, (trx) =>
        trx
          .selectFrom('billing.webhook_recoveries')
          .selectAll()
          .where('id', '=', recoveryId)
          .where('status', '=', 'running')
          .executeTakeFirst(),
      ),

    /** The next failed messages of the period after `after` (keyset on created_at, id). */
    nextFailed: (
      endpointId: string,
      period: Period,
      after: { t: string; id: string } | null,
      limit: number,
    ) =>
      asSystem(db, async (trx) => {
        let query = failedIn(trx, endpointId, period).select(['id', microsecondText('created_at').as('t')]);
        if (after)
          query = query.where(sql<boolean>`(created_at, id) > (${after.t}::timestamptz, ${after.id})`);
        return query.orderBy('created_at').orderBy('id').limit(limit).execute();
      }),

    addSent: (recoveryId: string, count: number) =>
      asSystem(db, (trx) =>
        trx
          .updateTable('billing.webhook_recoveries')
          .set({ sent: sql`sent + ${count}`, total: sql`greatest(total, sent + ${count})` })
          .where('id', '=', recoveryId)
          .execute(),
      ),

    finish: (recoveryId: string, status: 'completed' | 'failed', at: Date) =>
      asSystem(db, (trx) =>
        trx
          .updateTable('billing.webhook_recoveries')
          .set({ status, finished_at: at })
          .where('id', '=', recoveryId)
          .where('status', '=', 'running')
          .execute(),
      ),
  };
}

export type RecoverRepo = ReturnType<typeof createRecoverRepo>;
