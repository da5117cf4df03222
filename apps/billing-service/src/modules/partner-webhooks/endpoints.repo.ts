import type { WebhookEndpoint, WebhookEventType } from '@mna/shared';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { BillingDatabase, WebhookEndpointTable, WebhookSecret } from '../../db/schema.js';
import { asTenant, type Trx } from '../../db/scope.js';

export type EndpointRow = Selectable<WebhookEndpointTable>;
export type EndpointChanges = Partial<{
  url: string;
  description: string;
  event_types: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  secrets: WebhookSecret[];
  consecutive_failures: number;
  first_failure_at: Date | null;
  disable_warned_at: Date | null;
}>;

/** Position in the list: the last endpoint of a page (created_at as Postgres text, microseconds kept; id). */
export type EndpointCursor = { createdAt: string; id: string };

/** The API view of an endpoint row; never its secrets. */
export const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: row.event_types as WebhookEventType[],
  status: row.status,
  disabledReason: row.disabled_reason,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Partner webhook endpoints of one tenant; every query runs in a tenant transaction (RLS) and filters. */
export function createEndpointsRepo(db: Kysely<BillingDatabase>) {
  return {
    inTenant: <T>(tenantId: string, fn: (trx: Trx) => Promise<T>) => asTenant(db, tenantId, fn),

    insert: (
      trx: Trx,
      values: { tenantId: string; url: string; description: string; events: string[]; secret: WebhookSecret },
    ) =>
      trx
        .insertInto('billing.webhook_endpoints')
        .values({
          tenant_id: values.tenantId,
          url: values.url,
          description: values.description,
          event_types: values.events,
          secrets: JSON.stringify([values.secret]),
        })
        .returningAll()
        .executeTakeFirstOrThrow(),

    /** One endpoint of the tenant, locked for update when `lock` is set; undefined when not theirs. */
    find: (trx: Trx, tenantId: string, id: string, lock = false) => {
      const query = trx
        .selectFrom('billing.webhook_endpoints')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id);
      return (lock ? query.forUpdate() : query).executeTakeFirst();
    },

    page: (trx: Trx, tenantId: string, limit: number, after: EndpointCursor | null) => {
      let query = trx
        .selectFrom('billing.webhook_endpoints')
        .selectAll()
        .select(sql<string>`created_at::text`.as('position'))
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit + 1);
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '>', sql<Date>`${after.createdAt}::timestamptz`),
            eb.and([
              eb('created_at', '=', sql<Date>`${after.createdAt}::timestamptz`),
              eb('id', '>', after.id),
            ]),
          ]),
        );
      }
      return query.execute();
    },

    update: (trx: Trx, tenantId: string, id: string, changes: EndpointChanges) => {
      const { secrets, ...rest } = changes;
      return trx
        .updateTable('billing.webhook_endpoints')
        .set({
          ...rest,
          ...(secrets ? { secrets: JSON.stringify(secrets) } : {}),
          updated_at: new Date(),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    delete: (trx: Trx, tenantId: string, id: string) =>
      trx
        .deleteFrom('billing.webhook_endpoints')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst(),
  };
}
export type EndpointsRepo = ReturnType<typeof createEndpointsRepo>;
