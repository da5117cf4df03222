import type { WebhookEventType } from '@mna/shared';
import { createCursorCodec } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { BillingDatabase } from '../../db/schema.js';
import { asTenant } from '../../db/scope.js';

export type DeliveriesFilter = {
  status?: 'pending' | 'delivered' | 'failed' | undefined;
  eventType?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  cursor?: string | undefined;
  limit: number;
};

// Newest first: the boundary is the last row's (created_at with microseconds, id).
const cursor = createCursorCodec(
  z.strictObject({ t: z.iso.datetime({ offset: true }), id: z.string().max(80) }),
);

/** A timestamp column as ISO text with microseconds, for keyset boundaries (a Date keeps only ms). */
export const microsecondText = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Tenant-scoped reads and writes behind the delivery routes (row level security binds each one). */
export function createDeliveryRepo(db: Kysely<BillingDatabase>) {
  return {
    endpoint: (tenantId: string, endpointId: string) =>
      asTenant(db, tenantId, (trx) =>
        trx
          .selectFrom('billing.webhook_endpoints')
          .select(['id', 'status', 'event_types'])
          .where('id', '=', endpointId)
          .executeTakeFirst(),
      ),

    message: (tenantId: string, endpointId: string, messageId: string) =>
      asTenant(db, tenantId, (trx) =>
        trx
          .selectFrom('billing.webhook_messages')
          .select(['id', 'status'])
          .where('id', '=', messageId)
          .where('endpoint_id', '=', endpointId)
          .executeTakeFirst(),
      ),

    /** Messages of an endpoint with every attempt, newest first, keyset-paginated. */
    list: (tenantId: string, endpointId: string, filter: DeliveriesFilter) =>
      asTenant(db, tenantId, async (trx) => {
        let query = trx
          .selectFrom('billing.webhook_messages as m')
          .innerJoin('billing.webhook_events as v', 'v.id', 'm.event_id')
          .select([
            'm.id',
            'm.event_id',
            'v.type',
            'm.status',
            'm.attempt_count',
            'm.next_attempt_at',
            'm.last_attempt_at',
            'm.delivered_at',
            'm.created_at',
            microsecondText('m.created_at').as('t'),
          ])
          .where('m.endpoint_id', '=', endpointId);
        if (filter.status) query = query.where('m.status', '=', filter.status);
        if (filter.eventType) query = query.where('v.type', '=', filter.eventType);
        if (filter.since) query = query.where('m.created_at', '>=', new Date(filter.since));
        if (filter.until) query = query.where('m.created_at', '<', new Date(filter.until));
        if (filter.cursor) {
          const c = cursor.decode(filter.cursor);
          query = query.where(sql<boolean>`(m.created_at, m.id) < (${c.t}::timestamptz, ${c.id})`);
        }
        const rows = await query
          .orderBy('m.created_at', 'desc')
          .orderBy('m.id', 'desc')
          .limit(filter.limit + 1)
          .execute();
        const page = rows.slice(0, filter.limit);
        const attempts = page.length
          ? await trx
              .selectFrom('billing.webhook_attempts')
              .selectAll()
              .where(
                'message_id',
                'in',
                page.map((r) => r.id),
              )
              .orderBy('message_id')
              .orderBy('attempt_number')
              .execute()
          : [];
        const last = page.at(-1);
        return {
          deliveries: page.map((r) => ({
            messageId: r.id,
            eventId: r.event_id,
            eventType: r.type,
            status: r.status,
            attemptCount: r.attempt_count,
            nextAttemptAt: iso(r.next_attempt_at),
            lastAttemptAt: iso(r.last_attempt_at),
            deliveredAt: iso(r.delivered_at),
            createdAt: r.created_at.toISOString(),
            attempts: attempts
              .filter((a) => a.message_id === r.id)
              .map((a) => ({
                attemptNumber: a.attempt_number,
                trigger: a.trigger,
                statusCode: a.status_code,
                responseBody: a.response_body,
                error: a.error,
                durationMs: a.duration_ms,
                nextAttemptAt: iso(a.next_attempt_at),
                createdAt: a.created_at.toISOString(),
              })),
          })),
          nextCursor: rows.length > filter.limit && last ? cursor.encode({ t: last.t, id: last.id }) : null,
        };
      }),

    /** An example event and its message to one endpoint (the test send). */
    createTestMessage: (
      tenantId: string,
      endpointId: string,
      event: { id: string; type: WebhookEventType; resourceId: string; data: Record<string, unknown> },
      messageId: string,
    ) =>
      asTenant(db, tenantId, async (trx) => {
        await trx
          .insertInto('billing.webhook_events')
          .values({
            id: event.id,
            tenant_id: tenantId,
            type: event.type,
            resource_id: event.resourceId,
            sequence: 1,
            data: JSON.stringify(event.data),
            created_at: new Date(),
          })
          .execute();
        await trx
          .insertInto('billing.webhook_messages')
          .values({ id: messageId, endpoint_id: endpointId, event_id: event.id, tenant_id: tenantId })
          .execute();
      }),
  };
}

export type DeliveryRepo = ReturnType<typeof createDeliveryRepo>;
