import type { ChildProcess } from 'node:child_process';
import type { Company, Document } from '@mna/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { call } from './fixtures.js';
import { createHarness, eventually, type Harness, spawnWorkerProcess } from './harness.js';

// The production wiring: a worker process (src/worker.ts) started with a new default model finds, on
// start, the vectors of the old one and converts them through its queue, as `scripts/start.sh` does
// for the demo tenant after an upgrade.
const TENANT = 'org_reembed_start';
let h: Harness;
let child: ChildProcess | null = null;

beforeAll(async () => {
  h = await createHarness({
    template: inject('templateDatabase'),
    env: { EMBED_LOCAL_MODEL: 'local-hash-v1' },
  });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await h.close();
});

const models = async () =>
  h.db.transaction().execute(async (trx) => {
    await sql`select set_config('app.tenant_id', ${TENANT}, true)`.execute(trx);
    const { rows } = await sql<{ model: string | null }>`
      select embedding_model as model from search.chunks
      union all select embedding_model from search.companies`.execute(trx);
    return rows.map((r) => r.model);
  });

describe('a worker started with another model', () => {
  it('re-embeds the stored vectors in the background, documents and companies', async () => {
    const worker = h.startWorker();
    const doc = await call(h, 'POST', '/v1/documents', TENANT, {
      externalId: 'wind',
      kind: 'note',
      title: 'Wind',
      content: 'Offshore wind farms in the North Sea.',
    });
    const id = (doc.json() as { id: string }).id;
    const company = await call(h, 'POST', '/v1/companies', TENANT, {
      name: 'Gale Power',
      description: 'wind',
    });
    expect(company.statusCode).toBe(201);
    await eventually(async () => {
      const all = await models();
      return all.length === 2 && all.every((m) => m === 'local-hash-v1');
    });
    await worker.close();

    child = spawnWorkerProcess(h);
    await eventually(async () => (await models()).every((m) => m === 'local-idf-v2'), 60_000);
    const after = (await call(h, 'GET', `/v1/documents/${id}`, TENANT)).json() as Document;
    expect(after).toMatchObject({ status: 'indexed', embeddingModel: 'local-idf-v2' });
    const profile = (
      await call(h, 'GET', `/v1/companies/${(company.json() as Company).id}`, TENANT)
    ).json() as Company;
    expect(profile.embeddingStatus).toBe('indexed');
  }, 90_000);
});
