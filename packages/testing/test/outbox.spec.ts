import { randomUUID } from 'node:crypto';
import { createLogger, createQueue, createWorker, QUEUES, type WebhookEnvelope } from '@mna/shared';
import {
  createDb,
  createOutboxRelay,
  createRedis,
  OUTBOX_RELAY_SCOPE,
  outboxMigration,
  recordEvent,
  withTenant,
} from '@mna/shared/kit';
import type { Queue } from 'bullmq';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, TEST_REDIS_URL, type TestDatabase, uniquePrefix } from '../src/index.js';
import { kitSchemaDatabase } from './fixtures/kit-schema.js';

const SCHEMA = 'kit_outbox';
const logger = createLogger({ service: 'outbox-test', level: 'silent' });
// biome-ignore lint/suspicious/noExplicitAny: a throwaway schema without a typed database
type Db = Kysely<any>;

const indexed = (documentId: string, title = 'Deal memo') => ({
  documentId,
  externalId: `ext-${documentId.slice(0, 8)}`,
  title,
  status: 'indexed' as const,
  chunkCount: 3,
});

/** One document and its event in one transaction, the way a service records a change. */
const indexDocument = (db: Db, tenantId: string, documentId: string, fail = false) =>
  withTenant(db, tenantId, async (trx) => {
    await sql`insert into kit_outbox.documents (id, tenant_id) values (${documentId}, ${tenantId})
      on conflict (id) do nothing`.execute(trx);
    const event = await recordEvent(trx, {
      schema: SCHEMA,
      tenantId,
      type: 'document.indexed',
      resourceId: documentId,
      data: indexed(documentId),
    });
    if (fail) throw new Error('the change failed after the event was recorded');
    return event;
  });

/** A statement in the relay's scope, which sees every tenant's outbox rows. */
const asRelay = <T>(db: Db, query: (trx: Db) => Promise<T>) =>
  db.transaction().execute(async (trx) => {
    await sql`select set_config(${OUTBOX_RELAY_SCOPE.setting}, ${OUTBOX_RELAY_SCOPE.value}, true)`.execute(
      trx,
    );
    return query(trx);
  });

describe('outbox kit', () => {
  let database: TestDatabase;
  let db: Db;
  const prefix = uniquePrefix('outbox');
  const redis = createRedis(TEST_REDIS_URL, 'worker');

  beforeAll(async () => {
    database = await kitSchemaDatabase(SCHEMA, {
      '0001_outbox': outboxMigration(SCHEMA),
      '0002_documents': {
        up: async (m) => {
          await sql`create table kit_outbox.documents (id text primary key, tenant_id text not null)`.execute(
            m,
          );
        },
      },
    });
    db = createDb({ connectionString: database.appUrl, max: 20 });
  });
  afterAll(async () => {
    await db.destroy();
    redis.disconnect();
    await deleteKeysWithPrefix(prefix);
    await new Promise((r) => setTimeout(r, 250));
    await database.drop();
  });

  const outboxRows = (where = sql`true`) =>
    asRelay(db, (trx) =>
      sql<{ id: string; resource_id: string; sequence: number; relayed_at: Date | null }>`
        select id, resource_id, sequence, relayed_at from kit_outbox.outbox where ${where}`.execute(trx),
    ).then((r) => r.rows);
  const markAllRelayed = () =>
    asRelay(db, (trx) =>
      sql`update kit_outbox.outbox set relayed_at = now() where relayed_at is null`.execute(trx),
    );

  it('writes the event with its change, and a rolled-back change leaves no event', async () => {
    const kept = randomUUID();
    const lost = randomUUID();
    const event = await indexDocument(db, 'org_a', kept);
    await expect(indexDocument(db, 'org_a', lost, true)).rejects.toThrow(/change failed/);
    const rows = await outboxRows(sql`resource_id in (${kept}, ${lost})`);
    expect(rows.map((r) => r.id)).toEqual([event.id]);
    const docs = await sql`select id from kit_outbox.documents where id = ${lost}`.execute(db);
    expect(docs.rows).toHaveLength(0);
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: 'document.indexed',
      tenantId: 'org_a',
      sequence: 1,
      resourceId: kept,
      data: indexed(kept),
    });
    // The rolled-back event did not use up a sequence number.
    expect((await indexDocument(db, 'org_a', lost)).sequence).toBe(1);
  });

  it('keeps each tenant to its own outbox rows; only the relay scope sees them all', async () => {
    const mine = await indexDocument(db, 'org_rls_a', randomUUID());
    const theirs = await indexDocument(db, 'org_rls_b', randomUUID());
    const visibleTo = (tenantId: string) =>
      withTenant(db, tenantId, (trx) =>
        sql<{ id: string }>`select id from kit_outbox.outbox where id in (${mine.id}, ${theirs.id})`.execute(
          trx,
        ),
      ).then((r) => r.rows.map((row) => row.id));
    expect(await visibleTo('org_rls_a')).toEqual([mine.id]);
    expect(await visibleTo('org_rls_b')).toEqual([theirs.id]);
    const unscoped = await sql`select id from kit_outbox.outbox`.execute(db);
    expect(unscoped.rows).toEqual([]);
    expect((await outboxRows(sql`id in (${mine.id}, ${theirs.id})`)).length).toBe(2);
    // A tenant cannot write an event in another tenant's name.
    await expect(
      withTenant(db, 'org_rls_a', (trx) =>
        recordEvent(trx, {
          schema: SCHEMA,
          tenantId: 'org_rls_b',
          type: 'document.indexed',
          resourceId: theirs.resourceId,
          data: indexed(theirs.resourceId),
        }),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('refuses data that does not match its event type, and nothing is written', async () => {
    const id = randomUUID();
    await expect(
      db.transaction().execute((trx) =>
        recordEvent(trx, {
          schema: SCHEMA,
          tenantId: 'org_a',
          type: 'document.indexed',
          resourceId: id,
          data: { documentId: id } as never,
        }),
      ),
    ).rejects.toThrow();
    expect(await outboxRows(sql`resource_id = ${id}`)).toHaveLength(0);
  });

  it('numbers events per resource and tenant, without gaps under concurrent writers', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const seqA = [];
    for (let i = 0; i < 3; i++) seqA.push((await indexDocument(db, 'org_seq', a)).sequence);
    expect(seqA).toEqual([1, 2, 3]);
    expect((await indexDocument(db, 'org_seq', b)).sequence).toBe(1);
    expect((await indexDocument(db, 'org_other', a)).sequence).toBe(1);

    const hot = randomUUID();
    const concurrent = await Promise.all(Array.from({ length: 15 }, () => indexDocument(db, 'org_seq', hot)));
    expect(concurrent.map((e) => e.sequence).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    // Commit order follows sequence order: a later sequence never has an earlier timestamp.
    const rows = await asRelay(db, (trx) =>
      sql<{ sequence: number; created_at: Date }>`
        select sequence, created_at from kit_outbox.outbox where resource_id = ${hot} order by sequence`.execute(
        trx,
      ),
    );
    const times = rows.rows.map((r) => r.created_at.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('relays every event exactly once with two relays running side by side', async () => {
    await markAllRelayed();
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, () => indexDocument(db, `org_relay_${i % 3}`, randomUUID())),
      );
      for (const e of batch) ids.add(e.id);
    }
    const queue = createQueue(QUEUES.platformEvents, { connection: redis, prefix });
    const added: string[] = [];
    const counting: Pick<Queue, 'addBulk'> = {
      addBulk: async (jobs) => {
        for (const job of jobs) added.push(job.opts?.jobId as string);
        return queue.addBulk(jobs as never);
      },
    };
    const consumed: string[] = [];
    const workerRedis = createRedis(TEST_REDIS_URL, 'worker');
    const worker = createWorker(
      QUEUES.platformEvents,
      async (event: WebhookEnvelope) => {
        consumed.push(event.id);
      },
      { connection: workerRedis, prefix, logger, concurrency: 8 },
    );
    const second = createDb({ connectionString: database.appUrl, max: 2 });
    const relays = [
      createOutboxRelay({ db, schema: SCHEMA, queue: counting, logger, batchSize: 20, idleMs: 20 }),
      createOutboxRelay({ db: second, schema: SCHEMA, queue: counting, logger, batchSize: 20, idleMs: 20 }),
    ];
    try {
      for (const relay of relays) relay.start();
      const deadline = Date.now() + 20_000;
      while (consumed.length < ids.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      expect(added).toHaveLength(ids.size);
      expect(new Set(added)).toEqual(ids);
      expect(consumed).toHaveLength(ids.size);
      expect(new Set(consumed)).toEqual(ids);
      expect((await outboxRows(sql`relayed_at is null`)).length).toBe(0);
    } finally {
      for (const relay of relays) await relay.close();
      await worker.close();
      workerRedis.disconnect();
      await queue.close();
      await second.destroy();
    }
  });

  it('re-sends a row whose enqueue outlived a failed commit, and BullMQ keeps one job for it', async () => {
    await markAllRelayed();
    const event = await indexDocument(db, 'org_crash', randomUUID());
    const queue = createQueue(QUEUES.platformEvents, { connection: redis, prefix: `${prefix}:crash` });
    let crash = true;
    const flaky: Pick<Queue, 'addBulk'> = {
      addBulk: async (jobs) => {
        const result = await queue.addBulk(jobs as never);
        if (crash) throw new Error('connection lost after the enqueue');
        return result;
      },
    };
    const relay = createOutboxRelay({ db, schema: SCHEMA, queue: flaky, logger });
    try {
      await expect(relay.relayOnce()).rejects.toThrow(/connection lost/);
      expect((await outboxRows(sql`id = ${event.id}`))[0]?.relayed_at).toBeNull();
      crash = false;
      expect(await relay.relayOnce()).toBe(1);
      expect((await outboxRows(sql`id = ${event.id}`))[0]?.relayed_at).not.toBeNull();
      const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'completed');
      expect(counts.waiting).toBe(1);
      expect((await queue.getJob(event.id))?.data).toMatchObject({ id: event.id, sequence: 1 });
    } finally {
      await relay.close();
      await queue.close();
    }
  });
});
