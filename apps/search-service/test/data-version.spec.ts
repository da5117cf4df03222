import { DataVersionSchema } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { call } from './fixtures.js';
import { eventually, useHarness } from './harness.js';

const A = 'org_version_a';
const B = 'org_version_b';
const h = useHarness();

const memo = {
  externalId: 'version-memo',
  kind: 'deal_memo',
  title: 'Project Heron',
  content: 'Heron Payments processes card payments for Nordic retailers.',
};

async function versionOf(tenantId: string): Promise<string> {
  const res = await call(h, 'GET', '/internal/data-version', tenantId);
  expect(res.statusCode).toBe(200);
  return DataVersionSchema.parse(res.json()).documents;
}

describe('GET /internal/data-version', () => {
  it('changes when a document is added, indexed, changed or deleted, and only for its tenant', async () => {
    expect(await versionOf(A)).toBe('0');
    const { id } = (await call(h, 'POST', '/v1/documents', A, memo)).json() as { id: string };
    const added = await versionOf(A);
    expect(added).not.toBe('0');
    expect(await versionOf(B)).toBe('0');

    h.startWorker();
    await eventually(async () => (await versionOf(A)) !== added);
    const indexed = await versionOf(A);
    expect((await call(h, 'GET', `/v1/documents/${id}`, A)).json()).toMatchObject({ status: 'indexed' });

    // Re-posting unchanged content is a no-op, so the version holds.
    expect((await call(h, 'POST', '/v1/documents', A, memo)).statusCode).toBe(202);
    expect(await versionOf(A)).toBe(indexed);

    await call(h, 'POST', '/v1/documents', A, { ...memo, content: `${memo.content} It was sold in 2026.` });
    expect(await versionOf(A)).not.toBe(indexed);
    // The worker indexes the new content: the version moves once more.
    await eventually(
      async () =>
        ((await call(h, 'GET', `/v1/documents/${id}`, A)).json() as { status: string }).status === 'indexed',
    );
    const changed = await versionOf(A);

    // Another tenant's writes, with the same external id, leave A's version alone.
    await call(h, 'POST', '/v1/documents', B, memo);
    expect(await versionOf(A)).toBe(changed);
    expect(await versionOf(B)).not.toBe('0');

    expect((await call(h, 'DELETE', `/v1/documents/${id}`, A)).statusCode).toBe(204);
    expect(await versionOf(A)).not.toBe(changed);
  });

  it('is internal: a request without the internal token is refused', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/internal/data-version' });
    expect(res.statusCode).toBe(401);
  });
});
