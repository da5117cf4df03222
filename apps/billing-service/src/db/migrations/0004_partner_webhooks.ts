import { type Kysely, sql } from 'kysely';
import { enableTenantOrSystemRls } from './rls.js';

const TENANT_TABLES = [
  'webhook_endpoints',
  'webhook_events',
  'webhook_messages',
  'webhook_attempts',
  'webhook_recoveries',
];

// Outbound partner webhooks (issue 8). Requests see one tenant's rows; the fan-out and delivery
// workers run as the billing system, like the Stripe worker (0002).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table billing.webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      tenant_id text not null,
      url text not null,
      description text not null default '',
      event_types text[] not null,
      status text not null default 'enabled' check (status in ('enabled', 'disabled')),
      disabled_reason text,
      secrets jsonb not null,
      consecutive_failures integer not null default 0,
      first_failure_at timestamptz,
      disable_warned_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index webhook_endpoints_tenant on billing.webhook_endpoints (tenant_id, created_at, id);
    create table billing.webhook_events (
      id text primary key,
      tenant_id text not null,
      type text not null,
      resource_id text not null,
      sequence bigint not null,
      data jsonb not null,
      created_at timestamptz not null,
      received_at timestamptz not null default now()
    );
    create index webhook_events_tenant_created on billing.webhook_events (tenant_id, created_at);
    create table billing.webhook_messages (
      id text primary key,
      endpoint_id uuid not null references billing.webhook_endpoints (id) on delete cascade,
      event_id text not null references billing.webhook_events (id),
      tenant_id text not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempt_count integer not null default 0,
      next_attempt_at timestamptz,
      last_attempt_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      unique (endpoint_id, event_id)
    );
    create index webhook_messages_endpoint_created on billing.webhook_messages (endpoint_id, created_at desc);
    create index webhook_messages_due on billing.webhook_messages (status, next_attempt_at);
    create table billing.webhook_attempts (
      id bigint generated always as identity primary key,
      message_id text not null references billing.webhook_messages (id) on delete cascade,
      endpoint_id uuid not null references billing.webhook_endpoints (id) on delete cascade,
      tenant_id text not null,
      attempt_number integer not null,
      trigger text not null check (trigger in ('scheduled', 'manual')),
      status_code integer,
      response_body text,
      error text,
      duration_ms integer not null,
      next_attempt_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index webhook_attempts_message on billing.webhook_attempts (message_id, attempt_number);
    create index webhook_attempts_endpoint_created on billing.webhook_attempts (endpoint_id, created_at);
    create table billing.webhook_recoveries (
      id uuid primary key default gen_random_uuid(),
      endpoint_id uuid not null references billing.webhook_endpoints (id) on delete cascade,
      tenant_id text not null,
      since timestamptz not null,
      until timestamptz not null,
      status text not null default 'running' check (status in ('running', 'completed', 'failed')),
      total integer not null default 0,
      sent integer not null default 0,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
  `.execute(db);
  await enableTenantOrSystemRls(db, TENANT_TABLES);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table billing.webhook_recoveries, billing.webhook_attempts, billing.webhook_messages,
    billing.webhook_events, billing.webhook_endpoints`.execute(db);
}
