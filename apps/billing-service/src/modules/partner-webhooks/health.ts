import type { WebhookEndpointHealth } from '@mna/shared';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { BillingDatabase } from '../../db/schema.js';
import { asSystem, asTenant } from '../../db/scope.js';
import type { Clock } from './schedule.js';

const HOUR_MS = 3_600_000;

type HealthRow = {
  endpoint_id: string;
  tenant_id: string;
  consecutive_failures: number;
  first_failure_at: Date | null;
  n1: string;
  ok1: string;
  n24: string;
  ok24: string;
  p95_1h: number | null;
  p95_24h: number | null;
};

// One pass over the endpoint's attempts of the last 24 h (index endpoint_id, created_at).
function healthRows(db: Kysely<BillingDatabase>, now: Date, where: RawBuilder<boolean>, limit: number) {
  const h1 = new Date(now.getTime() - HOUR_MS);
  const h24 = new Date(now.getTime() - 24 * HOUR_MS);
  return sql<HealthRow>`
    select e.id as endpoint_id, e.tenant_id, e.consecutive_failures, e.first_failure_at,
           a.n1, a.ok1, a.n24, a.ok24, a.p95_1h, a.p95_24h
      from billing.webhook_endpoints e
      cross join lateral (
        select count(*) filter (where created_at > ${h1}) as n1,
               count(*) filter (where created_at > ${h1} and status_code between 200 and 299) as ok1,
               count(*) as n24,
               count(*) filter (where status_code between 200 and 299) as ok24,
               percentile_cont(0.95) within group (order by duration_ms)
                 filter (where created_at > ${h1}) as p95_1h,
               percentile_cont(0.95) within group (order by duration_ms) as p95_24h
          from billing.webhook_attempts
         where endpoint_id = e.id and created_at > ${h24} and created_at <= ${now}
      ) a
     where ${where}
     order by e.consecutive_failures desc, a.n24 desc
     limit ${limit}`
    .execute(db)
    .then((r) => r.rows);
}

const rate = (ok: string, n: string) => (Number(n) > 0 ? Number(ok) / Number(n) : null);
const ms = (v: number | null) => (v === null ? null : Math.round(Number(v)));

function toHealth(row: HealthRow | undefined): WebhookEndpointHealth {
  return {
    successRate1h: row ? rate(row.ok1, row.n1) : null,
    successRate24h: row ? rate(row.ok24, row.n24) : null,
    p95LatencyMs1h: row ? ms(row.p95_1h) : null,
    p95LatencyMs24h: row ? ms(row.p95_24h) : null,
    consecutiveFailures: row?.consecutive_failures ?? 0,
    firstFailureAt: row?.first_failure_at?.toISOString() ?? null,
  };
}

/**
 * Delivery health of one endpoint: success rate and p95 latency over the last hour and day, the
 * failing streak and when it began. `db` is any connection or transaction that sees the endpoint
 * (the endpoint GET passes its tenant transaction).
 */
export async function readEndpointHealth(
  db: Kysely<BillingDatabase>,
  endpointId: string,
  now: Date = new Date(),
): Promise<WebhookEndpointHealth> {
  const [row] = await healthRows(db, now, sql<boolean>`e.id = ${endpointId}`, 1);
  return toHealth(row);
}

/** The endpoint GET's health reader: the endpoint's tenant transaction, the clock's now. */
export const endpointHealthReader =
  (db: Kysely<BillingDatabase>, clock: Clock) => (endpoint: { id: string; tenant_id: string }) =>
    asTenant(db, endpoint.tenant_id, (trx) => readEndpointHealth(trx, endpoint.id, clock.now()));

/**
 * Prometheus gauges of endpoint health, read from Postgres at scrape time. Bounded: at most
 * `maxEndpoints` enabled endpoints (failing or most active first), a 2 s statement timeout, and one
 * reading shared by the gauges of a scrape. A failed reading leaves the gauges empty and
 * `webhook_endpoint_health_up` at 0; /metrics keeps answering.
 */
export function registerWebhookHealthMetrics(
  registry: Registry,
  deps: { db: Kysely<BillingDatabase>; clock?: Clock; maxEndpoints: number; logger?: Logger },
) {
  let reading: { at: number; rows: Promise<HealthRow[] | null> } | undefined;
  const read = () => {
    if (!reading || Date.now() - reading.at > 1_000) {
      const now = deps.clock?.now() ?? new Date();
      const h24 = new Date(now.getTime() - 24 * HOUR_MS);
      const rows = asSystem(deps.db, async (trx) => {
        await sql`set local statement_timeout = 2000`.execute(trx);
        return healthRows(
          trx,
          now,
          sql<boolean>`e.status = 'enabled' and (e.consecutive_failures > 0 or exists (
            select 1 from billing.webhook_attempts r where r.endpoint_id = e.id and r.created_at > ${h24}))`,
          deps.maxEndpoints,
        );
      }).catch((error: unknown) => {
        deps.logger?.warn({ err: error }, 'webhook health metrics: reading failed');
        return null;
      });
      reading = { at: Date.now(), rows };
    }
    return reading.rows;
  };
  const labels = (r: HealthRow) => ({ endpoint_id: r.endpoint_id, tenant_id: r.tenant_id });
  const perWindow = ['endpoint_id', 'tenant_id', 'window'] as const;
  const perEndpoint = ['endpoint_id', 'tenant_id'] as const;

  const windowGauge = (
    name: string,
    help: string,
    value: (h: WebhookEndpointHealth, w: '1h' | '24h') => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: perWindow,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of (await read()) ?? []) {
          const h = toHealth(r);
          for (const window of ['1h', '24h'] as const) {
            const v = value(h, window);
            if (v !== null) this.set({ ...labels(r), window }, v);
          }
        }
      },
    });
  windowGauge(
    'webhook_endpoint_success_ratio',
    'Share of delivery attempts answered 2xx, per endpoint, over the last 1h or 24h',
    (h, w) => (w === '1h' ? h.successRate1h : h.successRate24h),
  );
  windowGauge(
    'webhook_endpoint_latency_p95_seconds',
    '95th percentile of delivery attempt duration, per endpoint, over the last 1h or 24h',
    (h, w) => {
      const p95 = w === '1h' ? h.p95LatencyMs1h : h.p95LatencyMs24h;
      return p95 === null ? null : p95 / 1000;
    },
  );
  new Gauge({
    name: 'webhook_endpoint_consecutive_failures',
    help: 'Failed delivery attempts since the endpoint last answered 2xx',
    labelNames: perEndpoint,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()) ?? []) this.set(labels(r), r.consecutive_failures);
    },
  });
  new Gauge({
    name: 'webhook_endpoint_first_failure_timestamp_seconds',
    help: 'Unix time of the first failure of the current failing streak (absent when healthy)',
    labelNames: perEndpoint,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()) ?? []) {
        if (r.first_failure_at) this.set(labels(r), r.first_failure_at.getTime() / 1000);
      }
    },
  });
  new Gauge({
    name: 'webhook_endpoint_health_up',
    help: '1 when the endpoint health figures could be read from Postgres at this scrape, else 0',
    registers: [registry],
    async collect() {
      this.set((await read()) === null ? 0 : 1);
    },
  });
}
