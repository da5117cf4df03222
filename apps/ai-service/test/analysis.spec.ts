import { AiJobSchema, DealAnalysisSchema, PROBLEM_CONTENT_TYPE } from '@mna/shared';
import { createRedis, withTenant } from '@mna/shared/kit';
import { internalHeaders, TEST_REDIS_URL } from '@mna/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAiWorkers } from '../src/workers.js';
import { healthyDeal, tenantWithDocuments } from './fixtures.js';
import { type AiHarness, startAi } from './harness.js';
import { type SearchStandIn, startSearchStandIn } from './search-stand-in.js';

const url = '/v1/ai/deals/analyze';

describe('deal analysis route with the local analyst', () => {
  let search: SearchStandIn;
  let ai: AiHarness;
  const tenantA = tenantWithDocuments('a');
  const tenantB = tenantWithDocuments('b');
  const post = async (body: object, tenantId = 'org_a', query = '') =>
    ai.app.inject({
      method: 'POST',
      url: url + query,
      headers: await internalHeaders({ tenantId }),
      payload: body,
    });

  beforeAll(async () => {
    search = await startSearchStandIn({ org_a: tenantA, org_b: tenantB });
    ai = await startAi({ searchUrl: search.url });
  });
  afterAll(async () => {
    await ai.close();
    await search.close();
  });

  it('answers the contract with provider local, valuation against the benchmark and cited documents', async () => {
    const response = await post({ ...healthyDeal, documentIds: [tenantA.documents[1]!.id] });
    expect(response.statusCode).toBe(200);
    const body = DealAnalysisSchema.parse(response.json());
    expect(body).toMatchObject({
      provider: 'local',
      model: 'mna-local-analyst',
      recommendation: 'proceed',
      cached: false,
    });
    expect(body.valuation.evToEbitda).toMatchObject({ value: 20, assessment: 'within_range' });
    expect(body.valuation.benchmarkSource).toMatch(/Damodaran/);
    expect(body.citations.sort()).toEqual(tenantA.documents.map((d) => d.id).sort());
    expect(search.calls.search).toBeGreaterThan(0);
  });

  it('writes an audit row per analysis, cache hits included, visible only to its tenant', async () => {
    const deal = { ...healthyDeal, target: 'Audited Target Ltd' };
    const headers = await internalHeaders({
      tenantId: 'org_a',
      userId: 'user_auditor',
      requestId: 'req-audit-1',
    });
    const first = await ai.app.inject({ method: 'POST', url, headers, payload: deal });
    const second = await ai.app.inject({ method: 'POST', url, headers, payload: deal });
    expect([first.json().cached, second.json().cached]).toEqual([false, true]);
    const rows = await withTenant(ai.db, 'org_a', (trx) =>
      trx
        .selectFrom('ai.audit_log')
        .selectAll()
        .where('request_id', '=', 'req-audit-1')
        .orderBy('id')
        .execute(),
    );
    expect(rows).toHaveLength(2);
    for (const [i, row] of rows.entries()) {
      expect(row).toMatchObject({ tenant_id: 'org_a', actor: 'user_auditor', action: 'deal.analyze' });
      expect(row.target).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.created_at).toBeInstanceOf(Date);
      expect(row.details).toMatchObject({
        dealTarget: 'Audited Target Ltd',
        recommendation: 'proceed',
        cached: i === 1,
      });
    }
    expect(rows[0]!.target).not.toBe(rows[1]!.target);
    // Each analysis' deal.analyzed event committed with its audit row, numbered per deal.
    const events = await withTenant(ai.db, 'org_a', (trx) =>
      sql<{
        type: string;
        tenant_id: string;
        sequence: number;
        data: { analysisId: string };
      }>`
        select type, tenant_id, sequence, data from ai.outbox
        where resource_id = 'deal:audited target ltd' order by sequence`.execute(trx),
    );
    expect(events.rows.map((e) => [e.type, e.tenant_id, Number(e.sequence), e.data.analysisId])).toEqual(
      rows.map((r, i) => ['deal.analyzed', 'org_a', i + 1, r.target]),
    );
    const foreign = await withTenant(ai.db, 'org_b', (trx) =>
      trx.selectFrom('ai.audit_log').selectAll().where('request_id', '=', 'req-audit-1').execute(),
    );
    expect(foreign).toEqual([]);
  });

  it('refuses invalid input with a 400 validation problem listing the fields', async () => {
    const response = await post({ target: '', sector: 'SaaS', financials: { revenue: -5 }, extra: true });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    const problem = response.json();
    expect(problem.status).toBe(400);
    expect(problem.errors.length).toBeGreaterThan(0);
  });

  it('answers 404 for a document id of another tenant, and 401 without a token', async () => {
    const foreign = await post({ ...healthyDeal, documentIds: [tenantB.documents[0]!.id] });
    expect(foreign.statusCode).toBe(404);
    const anonymous = await ai.app.inject({ method: 'POST', url, payload: healthyDeal });
    expect(anonymous.statusCode).toBe(401);
  });

  it('exports both ai queues and the dependencies on /metrics', async () => {
    // No worker runs yet: the queued analysis waits (the next test's worker takes it).
    expect((await post(healthyDeal, 'org_a', '?async=true')).statusCode).toBe(202);
    const { body } = await ai.app.inject({ method: 'GET', url: '/metrics' });
    expect(body).toMatch(/bullmq_queue_jobs\{[^}]*queue="ai-deal-analysis"[^}]*state="waiting"[^}]*\} 1/);
    expect(body).toMatch(/bullmq_queue_jobs\{[^}]*queue="ai-graph-metrics"[^}]*state="waiting"[^}]*\} 0/);
    expect(body).toMatch(/bullmq_queue_metrics_up\{[^}]*queue="ai-graph-metrics"[^}]*\} 1/);
    expect(body).toMatch(/mna_dependency_up\{[^}]*dependency="postgres"[^}]*\} 1/);
    expect(body).toMatch(/mna_dependency_up\{[^}]*dependency="redis"[^}]*\} 1/);
  });

  it('runs ?async=true through the BullMQ worker and returns the result to the same tenant only', async () => {
    const connection = createRedis(TEST_REDIS_URL, 'worker');
    const { createAiServices } = await import('../src/services.js');
    const services = createAiServices({
      ...ai,
      graphQueue: ai.queues.graphQueue,
      dealQueue: ai.queues.dealQueue,
    });
    const workers = startAiWorkers({
      services,
      connection,
      prefix: `${ai.prefix}:bull`,
      concurrency: 1,
      inlineBetweennessMaxNodes: 100,
      logger: ai.logger,
    });
    try {
      const accepted = await post({ ...healthyDeal, notes: 'async please' }, 'org_a', '?async=true');
      expect(accepted.statusCode).toBe(202);
      const { jobId, status } = accepted.json();
      expect(status).toBe('queued');
      let job = AiJobSchema.parse({ jobId, status: 'queued', result: null, error: null });
      for (let i = 0; i < 100 && job.status !== 'completed' && job.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const read = await ai.app.inject({
          method: 'GET',
          url: `/v1/ai/jobs/${jobId}`,
          headers: await internalHeaders({ tenantId: 'org_a' }),
        });
        expect(read.statusCode).toBe(200);
        job = AiJobSchema.parse(read.json());
      }
      expect(job.status).toBe('completed');
      expect(job.result).toMatchObject({ provider: 'local', recommendation: 'proceed' });
      const audit = await withTenant(ai.db, 'org_a', (trx) =>
        trx.selectFrom('ai.audit_log').selectAll().where('target', '=', jobId).execute(),
      );
      expect(audit).toMatchObject([{ action: 'deal.analyze', tenant_id: 'org_a' }]);
      const other = await ai.app.inject({
        method: 'GET',
        url: `/v1/ai/jobs/${jobId}`,
        headers: await internalHeaders({ tenantId: 'org_b' }),
      });
      expect(other.statusCode).toBe(404);
    } finally {
      await workers.close();
      await services.search.close();
      connection.disconnect();
    }
  });
});
