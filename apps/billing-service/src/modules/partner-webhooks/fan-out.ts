import { createQueue, createWorker, QUEUES, WEBHOOK_EVENT_TYPES, type WebhookEnvelope } from '@mna/shared';
import type { ConnectionOptions } from 'bullmq';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { BillingDatabase } from '../../db/schema.js';
import { asSystem } from '../../db/scope.js';
import { type DeliveryQueue, enqueueDelivery } from './delivery.queue.js';

const SUBSCRIBABLE = new Set<string>(WEBHOOK_EVENT_TYPES);

/**
 * Turns one platform event into partner webhook messages: the event is stored once (by id), then one
 * message per enabled endpoint of its tenant subscribed to its type (once per endpoint and event),
 * and after commit a delivery job for every message not yet attempted. Running it twice for one event
 * (a redelivered job, a relay re-send) adds nothing and re-enqueues only jobs the delivery dedupes.
 */
export function createFanOut(deps: { db: Kysely<BillingDatabase>; deliveryQueue: DeliveryQueue }) {
  return async function fanOut(event: WebhookEnvelope): Promise<{ messageIds: string[] }> {
    const messageIds = await asSystem(deps.db, async (trx) => {
      await trx
        .insertInto('billing.webhook_events')
        .values({
          id: event.id,
          tenant_id: event.tenantId,
          type: event.type,
          resource_id: event.resourceId,
          sequence: event.sequence,
          data: JSON.stringify(event.data),
          created_at: event.created,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      if (!SUBSCRIBABLE.has(event.type)) return [];
      await sql`insert into billing.webhook_messages (id, endpoint_id, event_id, tenant_id)
        select 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, ${event.id}, e.tenant_id
          from billing.webhook_endpoints e
         where e.tenant_id = ${event.tenantId} and e.status = 'enabled' and ${event.type} = any(e.event_types)
        on conflict (endpoint_id, event_id) do nothing`.execute(trx);
      const rows = await trx
        .selectFrom('billing.webhook_messages')
        .select('id')
        .where('event_id', '=', event.id)
        .where('status', '=', 'pending')
        .where('attempt_count', '=', 0)
        .execute();
      return rows.map((r) => r.id);
    });
    await enqueueDelivery(
      deps.deliveryQueue,
      messageIds.map((messageId) => ({ messageId })),
    );
    return { messageIds };
  };
}
export type FanOut = ReturnType<typeof createFanOut>;

/** Billing worker's consumer of `platform-events` (every service's outbox relays there). */
export function createFanOutWorker(deps: {
  db: Kysely<BillingDatabase>;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  concurrency?: number;
}) {
  const settings = { connection: deps.connection, prefix: deps.prefix };
  const deliveryQueue = createQueue(QUEUES.webhookDelivery, settings);
  const fanOut = createFanOut({ db: deps.db, deliveryQueue });
  const worker = createWorker(QUEUES.platformEvents, (event) => fanOut(event), {
    ...settings,
    logger: deps.logger,
    concurrency: deps.concurrency ?? 8,
  });
  return {
    worker,
    fanOut,
    async close() {
      await worker.close();
      await deliveryQueue.close();
    },
  };
}
