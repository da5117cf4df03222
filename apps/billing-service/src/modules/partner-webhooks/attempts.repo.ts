import type { WebhookEnvelope } from '@mna/shared';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { BillingDatabase, WebhookSecret } from '../../db/schema.js';
import { asSystem, type Trx } from '../../db/scope.js';

/** What one attempt needs: its number, where to send, with which secrets, and the event it carries. */
export type DeliveryTarget = {
  messageId: string;
  attemptNumber: number;
  endpointId: string;
  tenantId: string;
  url: string;
  secrets: WebhookSecret[];
  envelope: WebhookEnvelope;
};

type ClaimedRow = {
  id: string;
  attempt_count: number;
  endpoint_id: string;
  tenant_id: string;
  event_id: string;
  url: string;
  secrets: WebhookSecret[];
  type: string;
  created_at: Date;
  sequence: string;
  resource_id: string;
  data: Record<string, unknown>;
};

export type AttemptRecord = {
  messageId: string;
  endpointId: string;
  tenantId: string;
  attemptNumber: number;
  trigger: 'scheduled' | 'manual';
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: Date | null;
  at: Date;
};

export type NoticeType = 'endpoint.failing' | 'endpoint.disabling_soon' | 'endpoint.disabled';

/** Bookkeeping of partner webhook deliveries: claims, attempts, message and endpoint state. */
export function createAttemptsRepo(db: Kysely<BillingDatabase>) {
  // One statement: take the attempt number and read what to send (a delivery's hot path).
  const claim = (messageId: string, set: RawBuilder<unknown>, where: RawBuilder<unknown>) =>
    asSystem(db, async (trx): Promise<DeliveryTarget | null> => {
      const { rows } = await sql<ClaimedRow>`
        with claimed as (
          update billing.webhook_messages m set ${set}
            from billing.webhook_endpoints e
           where m.id = ${messageId} and e.id = m.endpoint_id and e.status = 'enabled' and ${where}
          returning m.id, m.attempt_count, m.endpoint_id, m.tenant_id, m.event_id, e.url, e.secrets
        )
        select c.*, v.type, v.created_at, v.sequence, v.resource_id, v.data
          from claimed c join billing.webhook_events v on v.id = c.event_id`.execute(trx);
      const row = rows[0];
      if (!row) return null;
      return {
        messageId: row.id,
        attemptNumber: row.attempt_count,
        endpointId: row.endpoint_id,
        tenantId: row.tenant_id,
        url: row.url,
        secrets: row.secrets,
        envelope: {
          id: row.event_id,
          type: row.type as WebhookEnvelope['type'],
          created: row.created_at.toISOString(),
          tenantId: row.tenant_id,
          sequence: Number(row.sequence),
          resourceId: row.resource_id,
          data: row.data,
        },
      };
    });

  return {
    /** A transaction that sees every tenant's rows (the delivery worker works across tenants). */
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => asSystem(db, fn),

    /**
     * Claims scheduled attempt `step` of a pending message to an enabled endpoint and answers what to
     * send; null when the job is stale or a duplicate (the step was taken, the message is settled).
     * `leaseUntil` stands in as the next attempt time while the request is in flight, so the sweeper
     * re-sends only a lost attempt.
     */
    claimScheduled: (messageId: string, step: number, now: Date, leaseUntil: Date) =>
      claim(
        messageId,
        sql`schedule_step = ${step}, attempt_count = m.attempt_count + 1,
            last_attempt_at = ${now}, next_attempt_at = ${leaseUntil}`,
        sql`m.status = 'pending' and m.schedule_step = ${step - 1}`,
      ),

    /** Claims a manual attempt of any message to an enabled endpoint (its status stays as it is). */
    claimManual: (messageId: string, now: Date) =>
      claim(messageId, sql`attempt_count = m.attempt_count + 1, last_attempt_at = ${now}`, sql`true`),

    /** A pending message whose endpoint was disabled fails without an attempt (recover re-sends it). */
    failIfEndpointDisabled: (messageId: string) =>
      asSystem(db, (trx) =>
        sql`update billing.webhook_messages m set status = 'failed', next_attempt_at = null
              from billing.webhook_endpoints e
             where m.id = ${messageId} and m.status = 'pending' and e.id = m.endpoint_id
               and e.status = 'disabled'`.execute(trx),
      ),

    insertAttempt: (trx: Trx, a: AttemptRecord) =>
      trx
        .insertInto('billing.webhook_attempts')
        .values({
          message_id: a.messageId,
          endpoint_id: a.endpointId,
          tenant_id: a.tenantId,
          attempt_number: a.attemptNumber,
          trigger: a.trigger,
          status_code: a.statusCode,
          response_body: a.responseBody,
          error: a.error,
          duration_ms: a.durationMs,
          next_attempt_at: a.nextAttemptAt,
          created_at: a.at,
        })
        .execute(),

    markDelivered: (trx: Trx, messageId: string, at: Date) =>
      trx
        .updateTable('billing.webhook_messages')
        .set({ status: 'delivered', delivered_at: sql`coalesce(delivered_at, ${at})`, next_attempt_at: null })
        .where('id', '=', messageId)
        .execute(),

    markFailed: (trx: Trx, messageId: string) =>
      trx
        .updateTable('billing.webhook_messages')
        .set({ status: 'failed', next_attempt_at: null })
        .where('id', '=', messageId)
        .where('status', '=', 'pending')
        .execute(),

    scheduleNext: (trx: Trx, messageId: string, at: Date) =>
      trx
        .updateTable('billing.webhook_messages')
        .set({ next_attempt_at: at })
        .where('id', '=', messageId)
        .where('status', '=', 'pending')
        .execute(),

    /** A success ends the endpoint's failing streak. */
    endpointSucceeded: (trx: Trx, endpointId: string) =>
      trx
        .updateTable('billing.webhook_endpoints')
        .set({ consecutive_failures: 0, first_failure_at: null, disable_warned_at: null })
        .where('id', '=', endpointId)
        .where('consecutive_failures', '>', 0)
        .execute(),

    /** Counts a failure (locking the endpoint row until commit) and answers the streak so far. */
    endpointFailed: (trx: Trx, endpointId: string, at: Date) =>
      trx
        .updateTable('billing.webhook_endpoints')
        .set({
          consecutive_failures: sql`consecutive_failures + 1`,
          first_failure_at: sql`coalesce(first_failure_at, ${at})`,
        })
        .where('id', '=', endpointId)
        .returning(['id', 'tenant_id', 'url', 'status', 'first_failure_at', 'disable_warned_at'])
        .executeTakeFirst(),

    disableEndpoint: (trx: Trx, endpointId: string, reason: string, at: Date) =>
      trx
        .updateTable('billing.webhook_endpoints')
        .set({ status: 'disabled', disabled_reason: reason, updated_at: at })
        .where('id', '=', endpointId)
        .where('status', '=', 'enabled')
        .returning('id')
        .executeTakeFirst(),

    markDisableWarned: (trx: Trx, endpointId: string, at: Date) =>
      trx
        .updateTable('billing.webhook_endpoints')
        .set({ disable_warned_at: at })
        .where('id', '=', endpointId)
        .where('disable_warned_at', 'is', null)
        .returning('id')
        .executeTakeFirst(),

    /**
     * Records a notice about an endpoint as an event of that tenant (type endpoint.*, resource = the
     * endpoint; sequence per endpoint, serialised by the endpoint row lock the caller holds).
     */
    recordNotice: async (
      trx: Trx,
      notice: {
        tenantId: string;
        endpointId: string;
        type: NoticeType;
        data: Record<string, unknown>;
        at: Date;
      },
    ) => {
      const id = `evt_${crypto.randomUUID().replaceAll('-', '')}`;
      await sql`
        insert into billing.webhook_events (id, tenant_id, type, resource_id, sequence, data, created_at)
        select ${id}, ${notice.tenantId}, ${notice.type}, ${notice.endpointId},
               coalesce(max(sequence), 0) + 1, ${JSON.stringify(notice.data)}::jsonb, ${notice.at}
          from billing.webhook_events
         where tenant_id = ${notice.tenantId} and resource_id = ${notice.endpointId}`.execute(trx);
      return id;
    },

    /** Pending messages whose next attempt is overdue by more than `graceMs`: their job was lost. */
    overdue: (now: Date, graceMs: number, limit: number) =>
      asSystem(db, (trx) =>
        trx
          .selectFrom('billing.webhook_messages')
          .select(['id', 'schedule_step'])
          .where('status', '=', 'pending')
          .where(sql<boolean>`coalesce(next_attempt_at, created_at) < ${new Date(now.getTime() - graceMs)}`)
          .orderBy('next_attempt_at')
          .limit(limit)
          .execute(),
      ),

    /** Enabled endpoints failing since before `since` (candidates for the disable warning or disabling). */
    failingSince: (since: Date) =>
      asSystem(db, (trx) =>
        trx
          .selectFrom('billing.webhook_endpoints')
          .select('id')
          .where('status', '=', 'enabled')
          .where('first_failure_at', '<=', since)
          .execute(),
      ),

    /** Locks an endpoint and answers its failing streak. */
    lockEndpoint: (trx: Trx, endpointId: string) =>
      trx
        .selectFrom('billing.webhook_endpoints')
        .select(['id', 'tenant_id', 'url', 'status', 'first_failure_at', 'disable_warned_at'])
        .where('id', '=', endpointId)
        .forUpdate()
        .executeTakeFirst(),
  };
}

export type AttemptsRepo = ReturnType<typeof createAttemptsRepo>;
