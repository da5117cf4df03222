import { type Kysely, sql } from 'kysely';
import { enableTenantOrSystemRls } from './rls.js';

const TENANT_TABLES = ['customers', 'subscriptions', 'mrr_movements', 'dunning_cases', 'notifications'];

// Billing state is written by the webhook worker across tenants and read per tenant by requests. Row
// level security allows one tenant's rows (app.tenant_id), or every row to a transaction that runs as
// the billing system (app.billing_scope = 'system', set only by the worker, reconcile and analytics).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table billing.customers (
      tenant_id text primary key,
      stripe_customer_id text not null unique,
      created_at timestamptz not null default now()
    );
    create table billing.subscriptions (
      tenant_id text primary key,
      stripe_customer_id text not null,
      stripe_subscription_id text not null unique,
      plan text,
      interval text,
      currency text,
      unit_amount integer not null default 0,
      status text not null,
      current_period_end timestamptz,
      cancel_at_period_end boolean not null default false,
      grace_until timestamptz,
      latest_invoice_id text,
      latest_invoice_status text,
      started_at timestamptz not null default now(),
      canceled_at timestamptz,
      synced_at timestamptz not null default now()
    );
    create table billing.stripe_events (
      id text primary key,
      type text not null,
      customer_id text,
      stripe_created timestamptz not null,
      payload jsonb not null,
      status text not null default 'received',
      attempts integer not null default 0,
      last_error text,
      received_at timestamptz not null default now(),
      processed_at timestamptz
    );
    create index stripe_events_status_received on billing.stripe_events (status, received_at);
    create table billing.mrr_movements (
      id bigint generated always as identity primary key,
      tenant_id text not null,
      currency text not null,
      kind text not null check (kind in ('new', 'expansion', 'contraction', 'churned')),
      amount integer not null,
      stripe_event_id text,
      occurred_at timestamptz not null default now()
    );
    create index mrr_movements_occurred on billing.mrr_movements (occurred_at);
    create table billing.dunning_cases (
      invoice_id text primary key,
      tenant_id text not null,
      currency text not null,
      amount_due integer not null,
      recipient text,
      started_at timestamptz not null default now(),
      grace_until timestamptz not null,
      recovered_at timestamptz,
      recovered_amount integer
    );
    create index dunning_cases_tenant on billing.dunning_cases (tenant_id, started_at desc);
    create table billing.notifications (
      id uuid primary key default gen_random_uuid(),
      tenant_id text not null,
      kind text not null,
      invoice_id text,
      step integer,
      recipient text,
      subject text not null,
      body text not null,
      status text not null default 'pending' check (status in ('pending', 'sent', 'canceled')),
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      unique (invoice_id, step)
    );
  `.execute(db);
  await enableTenantOrSystemRls(db, TENANT_TABLES);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table billing.notifications, billing.dunning_cases, billing.mrr_movements,
    billing.stripe_events, billing.subscriptions, billing.customers`.execute(db);
}
