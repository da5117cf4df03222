import { randomUUID } from 'node:crypto';
import {
  auditFunctionMigration,
  createDb,
  insertAuditRow,
  OUTBOX_RELAY_SCOPE,
  outboxMigration,
  recordEvent,
  recordStandaloneAudit,
  withTenant,
} from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../src/index.js';
import { kitSchemaDatabase } from './fixtures/kit-schema.js';

const SCHEMA = 'kit_audit';
// biome-ignore lint/suspicious/noExplicitAny: a throwaway schema without a typed database
type Db = Kysely<any>;

const analyzed = (analysisId: string) => ({
  type: 'deal.analyzed' as const,
  resourceId: 'deal:acme',
  data: {
    analysisId,
    target: 'Acme',
    recommendation: 'proceed' as const,
    confidence: 0.8,
    provider: 'local' as const,
  },
});
const actor = (tenantId: string) => ({ tenantId, userId: 'user_1', requestId: `req-${tenantId}` });
const entry = (target: string) => ({ action: 'deal.analyze', target, details: { cached: true } });

describe('standalone audit record (one statement: tenant, audit row, outbox event)', () => {
  let database: TestDatabase;
  let db: Db;
  // One connection, so a tenant binding that outlived its statement would show on the next query.
  let single: Db;

  beforeAll(async () => {
    database = await kitSchemaDatabase(SCHEMA, {
      '0001_audit_log': {
        up: async (m) => {
          await sql`create table kit_audit.audit_log (
              id bigint generated always as identity primary key, tenant_id text not null,
              actor text not null, action text not null, target text, request_id text,
              details jsonb not null default '{}'::jsonb, created_at timestamptz not null default now())`.execute(
            m,
          );
          await sql`alter table kit_audit.audit_log enable row level security`.execute(m);
          await sql`alter table kit_audit.audit_log force row level security`.execute(m);
          await sql`create policy tenant_isolation on kit_audit.audit_log
              using (tenant_id = (select current_setting('app.tenant_id', true)))
              with check (tenant_id = (select current_setting('app.tenant_id', true)))`.execute(m);
        },
      },
      '0002_outbox': outboxMigration(SCHEMA),
      '0003_record_audit': auditFunctionMigration(SCHEMA),
    });
    db = createDb({ connectionString: database.appUrl, max: 4 });
    single = createDb({ connectionString: database.appUrl, max: 1 });
  });
  afterAll(async () => {
    await db.destroy();
    await single.destroy();
    await database.drop();
  });

  const auditRows = (tenantId: string, target: string) =>
    withTenant(db, tenantId, (trx) =>
      sql<Record<string, unknown>>`select tenant_id, actor, action, target, request_id, details
        from kit_audit.audit_log where target = ${target}`.execute(trx),
    ).then((r) => r.rows);
  const outboxRows = (where: ReturnType<typeof sql>) =>
    db
      .transaction()
      .execute(async (trx) => {
        await sql`select set_config(${OUTBOX_RELAY_SCOPE.setting}, ${OUTBOX_RELAY_SCOPE.value}, true)`.execute(
          trx,
        );
        return sql<Record<string, unknown>>`select id, tenant_id, type, resource_id, sequence, data
          from kit_audit.outbox where ${where} order by sequence`.execute(trx);
      })
      .then((r) => r.rows);

  it('writes the audit row and the event as the tenant, with per-resource sequences', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const one = await recordStandaloneAudit(db, SCHEMA, actor('org_a'), entry(first), analyzed(first));
    const two = await recordStandaloneAudit(db, SCHEMA, actor('org_a'), entry(second), analyzed(second));
    expect(one).toMatchObject({ id: expect.stringMatching(/^evt_/), tenantId: 'org_a', sequence: 1 });
    expect(one).toMatchObject({ type: 'deal.analyzed', resourceId: 'deal:acme', data: analyzed(first).data });
    expect(two?.sequence).toBe(2);
    expect(await auditRows('org_a', first)).toEqual([
      {
        tenant_id: 'org_a',
        actor: 'user_1',
        action: 'deal.analyze',
        target: first,
        request_id: 'req-org_a',
        details: { cached: true },
      },
    ]);
    expect((await outboxRows(sql`id in (${one!.id}, ${two!.id})`)).map((r) => r.id)).toEqual([
      one!.id,
      two!.id,
    ]);
    // Another tenant sees none of it; neither does a statement bound to no tenant.
    expect(await auditRows('org_b', first)).toEqual([]);
    expect((await sql`select id from kit_audit.audit_log`.execute(db)).rows).toEqual([]);
  });

  it('writes the same rows as insertAuditRow and recordEvent in a transaction', async () => {
    const [viaFunction, viaKit] = [randomUUID(), randomUUID()];
    const a = await recordStandaloneAudit(db, SCHEMA, actor('org_same'), entry(viaFunction), {
      ...analyzed(viaFunction),
      resourceId: 'deal:one',
    });
    const b = await withTenant(db, 'org_same', async (trx) => {
      await insertAuditRow(trx, SCHEMA, actor('org_same'), entry(viaKit));
      return recordEvent(trx, {
        schema: SCHEMA,
        tenantId: 'org_same',
        ...analyzed(viaKit),
        resourceId: 'deal:two',
      });
    });
    const [rowA] = await auditRows('org_same', viaFunction);
    const [rowB] = await auditRows('org_same', viaKit);
    expect({ ...rowA, target: null }).toEqual({ ...rowB, target: null });
    const [eventA, eventB] = await outboxRows(sql`id in (${a!.id}, ${b.id})`).then((rows) =>
      [a!.id, b.id].map((id) => rows.find((r) => r.id === id)!),
    );
    const comparable = (r: Record<string, unknown>) => ({
      ...r,
      id: undefined,
      resource_id: undefined,
      data: { ...(r.data as object), analysisId: undefined },
    });
    expect(comparable(eventA!)).toEqual(comparable(eventB!));
    expect(Number(eventA!.sequence)).toBe(1);
  });

  it('writes the audit row alone when there is no event', async () => {
    const target = randomUUID();
    expect(await recordStandaloneAudit(db, SCHEMA, actor('org_a'), entry(target))).toBeUndefined();
    expect(await auditRows('org_a', target)).toHaveLength(1);
  });

  it('leaves the pooled connection bound to no tenant afterwards', async () => {
    const target = randomUUID();
    await recordStandaloneAudit(single, SCHEMA, actor('org_a'), entry(target));
    const setting = await sql<{ tenant: string | null }>`
      select current_setting('app.tenant_id', true) as tenant`.execute(single);
    expect(setting.rows[0]!.tenant ?? '').toBe('');
    expect((await sql`select id from kit_audit.audit_log`.execute(single)).rows).toEqual([]);
  });

  it('refuses a transaction bound to another tenant and writes nothing', async () => {
    const target = randomUUID();
    await expect(
      withTenant(db, 'org_b', (trx) => recordStandaloneAudit(trx, SCHEMA, actor('org_a'), entry(target))),
    ).rejects.toThrow(/bound to another tenant/);
    expect(await auditRows('org_a', target)).toEqual([]);
    expect(await auditRows('org_b', target)).toEqual([]);
  });

  it('checks the event against its type before writing anything', async () => {
    const target = randomUUID();
    const bad = { ...analyzed(target), data: { ...analyzed(target).data, confidence: 'high' } };
    await expect(
      recordStandaloneAudit(db, SCHEMA, actor('org_a'), entry(target), bad as never),
    ).rejects.toThrow();
    expect(await auditRows('org_a', target)).toEqual([]);
  });
});
