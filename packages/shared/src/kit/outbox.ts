import { randomBytes } from 'node:crypto';
import type { ConnectionOptions, Queue } from 'bullmq';
import { type Kysely, type Migration, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import {
  WEBHOOK_EVENT_DATA,
  type WebhookEnvelope,
  type WebhookEventData,
  type WebhookEventType,
} from '../contracts/webhooks.js';
import { createQueue, QUEUES } from '../queues.js';

/** The transaction-local setting (and value) under which a transaction sees every tenant's outbox rows. */
export type OutboxSystemScope = { setting: string; value: string };
export const OUTBOX_RELAY_SCOPE: OutboxSystemScope = { setting: 'app.outbox_scope', value: 'relay' };

const enterSystemScope = (trx: Kysely<unknown> | Transaction<unknown>, scope: OutboxSystemScope) =>
  sql`select set_config(${scope.setting}, ${scope.value}, true)`.execute(trx);

/**
 * The transactional outbox of a service's schema: `<schema>.outbox` holds platform events written in
 * the same transaction as their cause, `<schema>.outbox_sequences` the last `sequence` per resource.
 * Both have forced row level security like every tenant table: a transaction sees one tenant's rows
 * (`app.tenant_id`), or every row in the relay's system scope (a setting only the relay, or a service
 * acting as its own system, sets for its transaction).
 */
export function outboxMigration(
  schema: string,
  systemScope: OutboxSystemScope = OUTBOX_RELAY_SCOPE,
): Migration {
  const outbox = sql.table(`${schema}.outbox`);
  const sequences = sql.table(`${schema}.outbox_sequences`);
  return {
    async up(db: Kysely<unknown>) {
      await sql`create table ${outbox} (
        id text primary key,
        tenant_id text not null,
        type text not null,
        resource_id text not null,
        sequence bigint not null,
        data jsonb not null,
        created_at timestamptz not null default now(),
        relayed_at timestamptz
      )`.execute(db);
      await sql`create index ${sql.id(`${schema}_outbox_unrelayed`)} on ${outbox} (created_at, id)
        where relayed_at is null`.execute(db);
      await sql`create table ${sequences} (
        tenant_id text not null,
        resource_id text not null,
        last_sequence bigint not null,
        primary key (tenant_id, resource_id)
      )`.execute(db);
      for (const table of [outbox, sequences]) {
        await sql`alter table ${table} enable row level security`.execute(db);
        await sql`alter table ${table} force row level security`.execute(db);
        await sql`create policy tenant_or_system on ${table}
          using (tenant_id = (select current_setting('app.tenant_id', true))
                 or (select current_setting(${sql.lit(systemScope.setting)}, true)) = ${sql.lit(systemScope.value)})
          with check (tenant_id = (select current_setting('app.tenant_id', true))
                 or (select current_setting(${sql.lit(systemScope.setting)}, true)) = ${sql.lit(systemScope.value)})`.execute(
          db,
        );
      }
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table ${outbox}, ${sequences}`.execute(db);
    },
  };
}

/**
 * Consumers (billing's fan-out) retry infrastructure failures; finished jobs stay a day, so a row
 * re-sent after a relay crash meets its own job id and is not added twice.
 */
const RELAYED_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential' as const, delay: 1_000 },
  removeOnComplete: { age: 86_400 },
  removeOnFail: { age: 7 * 86_400 },
};

/** A new platform event id: `evt_` + 128 random bits. */
export const newEventId = () => `evt_${randomBytes(16).toString('base64url')}`;

export type RecordEventInput<T extends WebhookEventType> = {
  /** The service's schema (`search`, `ai`, `billing`). */
  schema: string;
  tenantId: string;
  type: T;
  /** The resource the event is about; `sequence` counts per (tenant, resource). */
  resourceId: string;
  data: WebhookEventData<T>;
};

/**
 * Writes one event to the outbox inside the caller's transaction: it commits or rolls back with the
 * change that caused it. The per-resource counter row stays locked until commit, so two transactions
 * about one resource get consecutive sequences in commit order.
 */
export async function recordEvent<DB, T extends WebhookEventType>(
  trx: Transaction<DB>,
  input: RecordEventInput<T>,
): Promise<WebhookEnvelope> {
  const { id, data } = newEvent(input);
  // One round trip: the resource's next sequence number and the event row, in one statement.
  const { rows } = await sql<{ sequence: number; created_at: Date }>`
    with seq as (
      insert into ${sql.table(`${input.schema}.outbox_sequences`)} as s (tenant_id, resource_id, last_sequence)
      values (${input.tenantId}, ${input.resourceId}, 1)
      on conflict (tenant_id, resource_id) do update set last_sequence = s.last_sequence + 1
      returning last_sequence, clock_timestamp() as created
    )
    insert into ${sql.table(`${input.schema}.outbox`)}
      (id, tenant_id, type, resource_id, sequence, data, created_at)
    select ${id}, ${input.tenantId}, ${input.type}, ${input.resourceId}, seq.last_sequence,
      ${JSON.stringify(data)}::jsonb, seq.created
    from seq
    returning sequence, created_at`.execute(trx);
  return envelopeOf(input, { id, data }, rows[0]!);
}

/** A new event's id and its data, checked against the event type's schema before anything is written. */
export function newEvent<T extends WebhookEventType>(input: Pick<RecordEventInput<T>, 'type' | 'data'>) {
  return {
    id: newEventId(),
    data: WEBHOOK_EVENT_DATA[input.type].parse(input.data) as Record<string, unknown>,
  };
}

/** The envelope of an event once its row is written (sequence and time come from the database). */
export function envelopeOf<T extends WebhookEventType>(
  input: Omit<RecordEventInput<T>, 'schema' | 'data'>,
  event: ReturnType<typeof newEvent>,
  row: { sequence: number | string; created_at: Date },
): WebhookEnvelope {
  return {
    id: event.id,
    type: input.type,
    created: row.created_at.toISOString(),
    tenantId: input.tenantId,
    sequence: Number(row.sequence),
    resourceId: input.resourceId,
    data: event.data,
  };
}

type OutboxRow = {
  id: string;
  tenant_id: string;
  type: string;
  resource_id: string;
  sequence: number;
  data: Record<string, unknown>;
  created_at: Date;
};

export type OutboxRelayOptions = {
  // biome-ignore lint/suspicious/noExplicitAny: the relay runs on any service's database type
  db: Kysely<any>;
  schema: string;
  /** The `platform-events` queue (QUEUES.platformEvents). */
  queue: Pick<Queue, 'addBulk'>;
  logger: Logger;
  batchSize?: number;
  /** Pause between polls when the outbox was drained. */
  idleMs?: number;
  /** Relayed rows older than this are deleted (default 7 days). */
  retainMs?: number;
  /** The scope given to the schema's outboxMigration (default OUTBOX_RELAY_SCOPE). */
  systemScope?: OutboxSystemScope;
};

/**
 * Moves unrelayed outbox rows to the `platform-events` queue (jobId = event id) and marks them. Rows
 * are claimed with FOR UPDATE SKIP LOCKED, so any number of relays share the work without sending a
 * row twice; a crash between enqueue and commit re-sends a row whose jobId BullMQ already knows.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { db, schema, queue, logger } = options;
  const batchSize = options.batchSize ?? 200;
  const idleMs = options.idleMs ?? 250;
  const retainMs = options.retainMs ?? 7 * 86_400_000;
  const outbox = sql.table(`${schema}.outbox`);
  const systemScope = options.systemScope ?? OUTBOX_RELAY_SCOPE;
  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let lastPrune = 0;

  /** Relays one batch; answers how many rows it moved. */
  async function relayOnce(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      await enterSystemScope(trx, systemScope);
      const { rows } = await sql<OutboxRow>`
        select id, tenant_id, type, resource_id, sequence, data, created_at from ${outbox}
        where relayed_at is null order by created_at, id limit ${batchSize}
        for update skip locked`.execute(trx);
      if (rows.length === 0) return 0;
      await queue.addBulk(
        rows.map((row) => ({
          name: row.type,
          data: toEnvelope(row),
          opts: { jobId: row.id, ...RELAYED_JOB_OPTIONS },
        })),
      );
      await sql`update ${outbox} set relayed_at = now()
        where id in (${sql.join(rows.map((r) => r.id))})`.execute(trx);
      return rows.length;
    });
  }

  async function prune() {
    if (Date.now() - lastPrune < 60_000) return;
    lastPrune = Date.now();
    await db.transaction().execute(async (trx) => {
      await enterSystemScope(trx, systemScope);
      await sql`delete from ${outbox}
        where relayed_at < now() - make_interval(secs => ${retainMs / 1000})`.execute(trx);
    });
  }

  async function run() {
    while (running) {
      let moved = 0;
      try {
        moved = await relayOnce();
        await prune();
      } catch (error) {
        logger.error({ err: error, schema }, 'outbox relay failed; retrying');
      }
      if (moved < batchSize && running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    }
  }

  return {
    relayOnce,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Stops after the batch in flight; resolves when the loop has ended. */
    async close() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
export type OutboxRelay = ReturnType<typeof createOutboxRelay>;

const toEnvelope = (row: OutboxRow): WebhookEnvelope => ({
  id: row.id,
  type: row.type as WebhookEnvelope['type'],
  created: row.created_at.toISOString(),
  tenantId: row.tenant_id,
  sequence: Number(row.sequence),
  resourceId: row.resource_id,
  data: row.data,
});

/**
 * A service worker's relay: its outbox to the `platform-events` queue, polling until closed. Returns
 * a closer for runWorker (the relay stops after its batch in flight, then the producer closes).
 */
export function startPlatformEventsRelay(options: {
  // biome-ignore lint/suspicious/noExplicitAny: the relay runs on any service's database type
  db: Kysely<any>;
  schema: string;
  /** A producer connection (fails fast), not a blocking worker connection. */
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  systemScope?: OutboxSystemScope;
}) {
  const queue = createQueue(QUEUES.platformEvents, {
    connection: options.connection,
    prefix: options.prefix,
  });
  const relay = createOutboxRelay({ ...options, queue });
  relay.start();
  return {
    name: `${options.schema} outbox relay`,
    close: async () => {
      await relay.close();
      await queue.close();
    },
  };
}
