import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '@mna/shared/kit';
import {
  ADMIN_DATABASE_URL,
  APP_ROLE,
  APP_ROLE_PASSWORD,
  createTestDatabase,
  type TestDatabase,
} from '@mna/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './support/process.js';
import { listApps, repoPath } from './support/repo.js';

/**
 * The restore drill: a database with every service's real schema (migrations, row level security,
 * grants to the application role) and a seeded table with 1536-dimension embeddings is backed up with
 * infra/scripts/backup.sh, dropped, recreated empty and restored with infra/scripts/restore.sh. Every
 * table must come back with the same rows (count and an order-independent checksum of whole rows,
 * embeddings included) and the same schema.
 */
const DIMENSIONS = 1536;
const work = mkdtempSync(join(tmpdir(), 'mna-backup-'));
let db: TestDatabase;

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Row count and checksum of every table outside the system schemas. */
async function fingerprint(url: string) {
  const tables = await query<{ name: string }>(
    url,
    `select format('%I.%I', schemaname, tablename) as name from pg_tables
     where schemaname not in ('pg_catalog', 'information_schema') order by 1`,
  );
  const result: Record<string, { rows: number; checksum: string }> = {};
  for (const { name } of tables) {
    const [row] = await query<{ rows: number; checksum: string }>(
      url,
      `select count(*)::int as rows, coalesce(md5(string_agg(h, '' order by h)), '') as checksum
       from (select md5(t::text) as h from ${name} t) x`,
    );
    result[name] = row!;
  }
  return result;
}

const schemaOnly = async (url: string) =>
  (await run('pg_dump', ['--schema-only', '--no-owner', `--dbname=${url}`], { cwd: work }))
    .split('\n')
    .filter(
      (line) => !line.startsWith('--') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'),
    )
    .join('\n');

beforeAll(async () => {
  db = await createTestDatabase();
  await query(db.ownerUrl, 'create extension if not exists vector');
  for (const app of listApps().filter((a) => a.hasMigrate)) {
    const { migrations, SCHEMA } = await import(repoPath('apps', app.name, 'src/db/migrations/index.ts'));
    await runMigrations({ ownerUrl: db.ownerUrl, appRole: APP_ROLE, schema: SCHEMA, migrations });
  }
  // A seeded schema of our own, shaped like the search tables: tenants, RLS, embeddings.
  await query(
    db.ownerUrl,
    `create schema drill;
     create table drill.documents (id bigint primary key, tenant_id text not null, title text not null,
       metadata jsonb not null, created_at timestamptz not null default now());
     create table drill.chunks (id bigint primary key, document_id bigint not null references drill.documents,
       content text not null, embedding vector(${DIMENSIONS}) not null);
     alter table drill.documents enable row level security;
     alter table drill.documents force row level security;
     create policy tenant_isolation on drill.documents
       using (tenant_id = current_setting('app.tenant_id', true));
     grant usage on schema drill to ${APP_ROLE};
     grant select on all tables in schema drill to ${APP_ROLE};
     insert into drill.documents (id, tenant_id, title, metadata)
       select i, 'tenant-' || (i % 3), 'Document ' || i, jsonb_build_object('n', i, 'tags', array['a', 'b'])
       from generate_series(1, 300) i;
     insert into drill.chunks (id, document_id, content, embedding)
       select i, 1 + (i % 300), repeat('chunk ' || i || ' ', 20),
         (select array_agg(sin(i * 7 + d))::vector from generate_series(1, ${DIMENSIONS}) d)
       from generate_series(1, 1200) i;`,
  );
}, 120_000);

afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('backup and restore drill', () => {
  it('restores every row and every embedding after the database is dropped', async () => {
    const before = await fingerprint(db.ownerUrl);
    const schemaBefore = await schemaOnly(db.ownerUrl);
    expect(before['drill.chunks']).toMatchObject({ rows: 1200 });
    expect(Object.keys(before).some((t) => t.startsWith('search.'))).toBe(true);
    const [{ embeddings }] = (await query<{ embeddings: string }>(
      db.ownerUrl,
      `select md5(string_agg(embedding::text, ',' order by id)) as embeddings from drill.chunks`,
    )) as [{ embeddings: string }];

    const backups = join(work, 'backups');
    const dump = (
      await run('bash', [repoPath('infra/scripts/backup.sh'), db.ownerUrl], {
        cwd: work,
        env: { ...process.env, BACKUP_DIR: backups, BACKUP_PREFIX: 'drill' },
      })
    ).trim();
    expect(dump).toMatch(/drill-\d{8}T\d{6}Z\.dump$/);

    await query(ADMIN_DATABASE_URL, `drop database "${db.name}" with (force)`);
    await query(ADMIN_DATABASE_URL, `create database "${db.name}"`);
    await query(ADMIN_DATABASE_URL, `grant connect on database "${db.name}" to ${APP_ROLE}`);
    expect(await fingerprint(db.ownerUrl)).toEqual({});

    await run('bash', [repoPath('infra/scripts/restore.sh'), dump, db.ownerUrl], { cwd: work });

    expect(await fingerprint(db.ownerUrl)).toEqual(before);
    const [restored] = await query<{ embeddings: string }>(
      db.ownerUrl,
      `select md5(string_agg(embedding::text, ',' order by id)) as embeddings from drill.chunks`,
    );
    expect(restored?.embeddings).toBe(embeddings);
    expect(await schemaOnly(db.ownerUrl)).toBe(schemaBefore);
  }, 120_000);

  it('brings back the grants and row level security the application role relies on', async () => {
    const client = new pg.Client({
      connectionString: db.appUrl.replace(
        `:${APP_ROLE_PASSWORD}@`,
        `:${encodeURIComponent(APP_ROLE_PASSWORD)}@`,
      ),
    });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('app.tenant_id', 'tenant-1', true)`);
      const { rows } = await client.query<{ tenants: string[] }>(
        'select array_agg(distinct tenant_id) as tenants from drill.documents',
      );
      expect(rows[0]?.tenants).toEqual(['tenant-1']);
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it('refuses a corrupted dump before touching the database', async () => {
    const dir = join(work, 'corrupt');
    const dump = (
      await run('bash', [repoPath('infra/scripts/backup.sh'), db.ownerUrl], {
        cwd: work,
        env: { ...process.env, BACKUP_DIR: dir },
      })
    ).trim();
    writeFileSync(dump, 'not a dump');
    await expect(
      run('bash', [repoPath('infra/scripts/restore.sh'), dump, db.ownerUrl], { cwd: work }),
    ).rejects.toThrow(/FAILED|did NOT match/);
    expect((await fingerprint(db.ownerUrl))['drill.chunks']?.rows).toBe(1200);
  }, 60_000);

  it('prunes dumps past the retention period but always keeps the newest ones', async () => {
    const dir = join(work, 'retention');
    await run('mkdir', ['-p', dir], { cwd: work });
    const old = ['mna-20200101T000000Z.dump', 'mna-20200201T000000Z.dump', 'mna-20200301T000000Z.dump'];
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    for (const name of old) {
      writeFileSync(join(dir, name), 'old');
      utimesSync(join(dir, name), longAgo, longAgo);
    }
    await run('bash', [repoPath('infra/scripts/backup.sh'), db.ownerUrl], {
      cwd: work,
      env: { ...process.env, BACKUP_DIR: dir, BACKUP_RETENTION_DAYS: '14', BACKUP_KEEP_MIN: '2' },
    });
    const left = readdirSync(dir)
      .filter((f) => f.endsWith('.dump'))
      .sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toBe('mna-20200301T000000Z.dump');
    expect(left[1]).toMatch(/^mna-\d{8}T\d{6}Z\.dump$/);
  }, 60_000);
});
