import { type Kysely, sql } from 'kysely';
import type { BillingDatabase } from '../../db/schema.js';

export type StoredEvent = {
  id: string;
  type: string;
  customerId: string | null;
  created: Date;
  payload: string;
};

/** The webhook event store: one row per Stripe event id, whatever the number of deliveries. */
export function createWebhooksRepo(db: Kysely<BillingDatabase>) {
  return {
    /** Inserts a batch in one statement (one commit); returns the ids that were new. */
    async insertMany(events: StoredEvent[]): Promise<Set<string>> {
      const rows = await db
        .insertInto('billing.stripe_events')
        .values(
          events.map((e) => ({
            id: e.id,
            type: e.type,
            customer_id: e.customerId,
            stripe_created: e.created,
            payload: e.payload,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    statusOf: async (id: string) =>
      (await db.selectFrom('billing.stripe_events').select('status').where('id', '=', id).executeTakeFirst())
        ?.status,
    get: (id: string) =>
      db.selectFrom('billing.stripe_events').selectAll().where('id', '=', id).executeTakeFirst(),
    markProcessed: (id: string, attempts: number) =>
      db
        .updateTable('billing.stripe_events')
        .set({ status: 'processed', processed_at: new Date(), attempts, last_error: null })
        .where('id', '=', id)
        .execute(),
    markFailed: (id: string, attempts: number, error: string, dead: boolean) =>
      db
        .updateTable('billing.stripe_events')
        .set({ attempts, last_error: error.slice(0, 2000), ...(dead ? { status: 'dead' as const } : {}) })
        .where('id', '=', id)
        .where('status', '!=', 'processed')
        .execute(),
    listDead: (limit: number) =>
      db
        .selectFrom('billing.stripe_events')
        .select(['id', 'type', 'customer_id', 'attempts', 'last_error', 'received_at'])
        .where('status', '=', 'dead')
        .orderBy('received_at')
        .limit(limit)
        .execute(),
    /** Moves dead events back to `received`; returns the ids that moved. */
    async revive(filter: { ids?: string[]; from?: Date; to?: Date }): Promise<string[]> {
      let q = db
        .updateTable('billing.stripe_events')
        .set({ status: 'received' })
        .where('status', '=', 'dead');
      if (filter.ids) q = q.where('id', 'in', filter.ids);
      if (filter.from) q = q.where('received_at', '>=', filter.from);
      if (filter.to) q = q.where('received_at', '<', filter.to);
      return (await q.returning('id').execute()).map((r) => r.id);
    },
    /** Events stored but never processed (e.g. the enqueue failed after the insert), oldest first. */
    listStale: (olderThan: Date, limit?: number) => {
      const q = db
        .selectFrom('billing.stripe_events')
        .select(['id', 'customer_id'])
        .where('status', '=', 'received')
        .where('received_at', '<', olderThan)
        .orderBy('received_at');
      return (limit === undefined ? q : q.limit(limit)).execute();
    },
    /** Events awaiting processing and dead-lettered ones, with the age of the oldest waiting one. */
    async backlog(): Promise<{ received: number; dead: number; oldestReceivedAgeSeconds: number }> {
      const row = await db
        .selectFrom('billing.stripe_events')
        .select((eb) => [
          eb.fn.countAll<number>().filterWhere('status', '=', 'received').as('received'),
          eb.fn.countAll<number>().filterWhere('status', '=', 'dead').as('dead'),
          sql<number>`coalesce(extract(epoch from now() - min(received_at) filter (where status = 'received')), 0)::float8`.as(
            'oldest',
          ),
        ])
        .where('status', 'in', ['received', 'dead'])
        .executeTakeFirstOrThrow();
      return { received: row.received, dead: row.dead, oldestReceivedAgeSeconds: row.oldest };
    },
  };
}

export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
