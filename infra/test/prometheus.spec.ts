import { createLogger, createMetrics, createQueue, QUEUES } from '@mna/shared';
import {
  createRedis,
  createServiceApp,
  registerDependencyMetrics,
  registerQueueMetrics,
} from '@mna/shared/kit';
import {
  createTestDatabase,
  deleteKeysWithPrefix,
  TEST_REDIS_URL,
  type TestDatabase,
  uniquePrefix,
} from '@mna/testing';
import { type Job, Worker } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtool } from './support/promtool.js';
import { listApps, readYaml } from './support/repo.js';
import { dashboard, queriedMetricNames, ruleFiles, rules } from './support/rules.js';

describe('Prometheus rules and scrape configs', () => {
  it('pass promtool check rules', () => {
    const { code, output } = promtool(['check', 'rules', ...ruleFiles]);
    expect(code, output).toBe(0);
    expect(output.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
  });

  it('pass promtool check config (compose and Render variants)', () => {
    for (const file of ['infra/prometheus/prometheus.yml', 'infra/prometheus/prometheus.render.yml']) {
      const { code, output } = promtool(['check', 'config', file]);
      expect(code, output).toBe(0);
    }
  });

  it('each alert fires on the series it is written for (promtool test rules)', () => {
    const { code, output } = promtool(['test', 'rules', 'infra/prometheus/tests/alerts.test.yml']);
    expect(code, output).toBe(0);
  });

  it('cover the issue’s alerts, each with a severity and a summary', () => {
    const alerts = rules.filter((r) => r.alert);
    const names = alerts.map((r) => r.alert);
    for (const name of [
      'AvailabilityBudgetFastBurn',
      'HighLatencyP99',
      'High5xxRatio',
      'EmbeddingBacklog',
      'EmbeddingJobsWaitingTooLong',
      'WebhookBacklog',
      'WebhookLag',
      'DeadLetterGrowth',
      'DunningFailures',
      'PostgresDown',
      'RedisDown',
    ]) {
      expect(names).toContain(name);
    }
    for (const alert of alerts) {
      expect(['page', 'ticket', 'warning']).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary).toBeTruthy();
    }
  });

  it('name only queues that exist in the shared QUEUES registry', () => {
    const known = Object.values(QUEUES).map((q) => q.name);
    const named = rules.flatMap((r) => [...r.expr.matchAll(/queue="([^"]+)"/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(5);
    for (const queue of named) expect(known).toContain(queue);
  });

  it('scrape every service on its port in both configs', () => {
    const apps = listApps().map((a) => a.name);
    for (const file of ['infra/prometheus/prometheus.yml', 'infra/prometheus/prometheus.render.yml']) {
      const config = readYaml<{ scrape_configs: Array<{ job_name: string }> }>(file);
      expect(config.scrape_configs.map((c) => c.job_name).sort()).toEqual(apps.sort());
    }
  });
});

describe('Grafana dashboard', () => {
  type Panel = {
    id: number;
    type: string;
    title: string;
    targets?: Array<{ expr: string; datasource?: { uid: string } }>;
  };
  const panels = dashboard.panels as Panel[];
  const DATASOURCE_VARIABLE = ['$', '{datasource}'].join('');

  it('has unique panel ids, and every graph queries Prometheus through the datasource variable', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe(DATASOURCE_VARIABLE);
    }
  });

  it('shows RED per service and route, queue depths, search latency and webhook lag', () => {
    const titles = panels.map((p) => p.title).join(' | ');
    for (const title of [
      'Requests per second by route',
      'p99 latency by route',
      'Queue depth by state',
      'Search latency',
      'Webhook lag',
    ]) {
      expect(titles).toContain(title);
    }
  });
});

describe('/metrics of a service built with the kit', () => {
  const prefix = uniquePrefix('metrics');
  const redis = createRedis(TEST_REDIS_URL);
  const queue = createQueue(QUEUES.searchEmbed, { connection: redis, prefix });
  let db: TestDatabase;
  let pool: pg.Pool;
  let text = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.appUrl, max: 1 });
    // One job exhausts its single attempt (a dead letter), then three wait and one is delayed.
    const worker = new Worker(QUEUES.searchEmbed.name, async () => Promise.reject(new Error('boom')), {
      connection: createRedis(TEST_REDIS_URL, 'worker'),
      prefix,
    });
    const failed = new Promise<Job>((resolve) => worker.on('failed', (job) => resolve(job as Job)));
    const data = { tenantId: 't1', target: 'document' as const, id: crypto.randomUUID() };
    await queue.add('embed', data);
    await failed;
    await worker.close();
    await queue.add('embed', data, { timestamp: Date.now() - 90_000 });
    await queue.add('embed', data);
    await queue.add('embed', data);
    await queue.add('embed', data, { delay: 60_000 });

    const metrics = createMetrics('search-service');
    const readiness = {
      postgres: () => pool.query('select 1'),
      redis: () => redis.ping(),
      mailer: () => Promise.reject(new Error('down')),
    };
    registerQueueMetrics(metrics.registry, [queue]);
    registerDependencyMetrics(metrics.registry, readiness);
    const app = await createServiceApp({
      logger: createLogger({ service: 'metrics-test', level: 'silent' }),
      metrics,
      readiness,
    });
    app.get('/v1/search', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/v1/search' });
    text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    await app.close();
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
    await pool.end();
    await db.drop();
    await deleteKeysWithPrefix(prefix);
  });

  it('pass promtool check metrics (but for prom-client’s own default gauges named *_total)', () => {
    const { code, output } = promtool(['check', 'metrics'], text);
    // prom-client's collectDefaultMetrics names three gauges nodejs_active_*_total; renaming them would
    // break every Node.js dashboard, so those three findings (and only those) are accepted.
    const findings = output.split('\n').filter((line) => line.trim() !== '');
    const accepted =
      /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
    expect(findings.filter((line) => !accepted.test(line))).toEqual([]);
    expect(code === 0 || findings.length > 0, output).toBe(true);
    expect(text).toContain('bullmq_queue_jobs');
  });

  it('export the BullMQ gauges per state and the oldest waiting job’s age', () => {
    const value = (series: string) => Number(text.match(new RegExp(`^${series} (\\S+)$`, 'm'))?.[1]);
    const q = 'queue="search-embed"';
    expect(value(`bullmq_queue_jobs\\{${q},state="waiting",service="search-service"\\}`)).toBe(3);
    expect(value(`bullmq_queue_jobs\\{${q},state="delayed",service="search-service"\\}`)).toBe(1);
    expect(value(`bullmq_queue_jobs\\{${q},state="failed",service="search-service"\\}`)).toBe(1);
    expect(value(`bullmq_queue_jobs\\{${q},state="active",service="search-service"\\}`)).toBe(0);
    const age = value(`bullmq_queue_oldest_waiting_age_seconds\\{${q},service="search-service"\\}`);
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
    expect(value(`bullmq_queue_metrics_up\\{${q},service="search-service"\\}`)).toBe(1);
  });

  it('export each dependency as up or down', () => {
    expect(text).toMatch(/^mna_dependency_up\{dependency="postgres",service="search-service"\} 1$/m);
    expect(text).toMatch(/^mna_dependency_up\{dependency="redis",service="search-service"\} 1$/m);
    expect(text).toMatch(/^mna_dependency_up\{dependency="mailer",service="search-service"\} 0$/m);
  });

  it('hold every metric the rules and the dashboard query', () => {
    const exported = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap((m) => {
        const [name, type] = [m[1] as string, m[2] as string];
        return type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
      }),
    );
    expect(queriedMetricNames().filter((name) => !exported.has(name))).toEqual([]);
  });
});
