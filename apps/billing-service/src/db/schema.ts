import type { ColumnType, Generated } from 'kysely';

export type AuditLogTable = {
  id: Generated<number>;
  tenant_id: string;
  actor: string;
  action: string;
  target: string | null;
  request_id: string | null;
  details: ColumnType<Record<string, unknown>, Record<string, unknown> | undefined, Record<string, unknown>>;
  created_at: ColumnType<Date, Date | undefined, never>;
};

type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableStamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type CustomerTable = { tenant_id: string; stripe_customer_id: string; created_at: Stamp };

export type SubscriptionTable = {
  tenant_id: string;
  stripe_customer_id: string;
  stripe_subscription_id: string;
  plan: string | null;
  interval: string | null;
  currency: string | null;
  /** Price of one period in minor units (a year for annual plans). */
  unit_amount: number;
  status: string;
  current_period_end: NullableStamp;
  cancel_at_period_end: boolean;
  grace_until: NullableStamp;
  latest_invoice_id: string | null;
  latest_invoice_status: string | null;
  started_at: Stamp;
  canceled_at: NullableStamp;
  synced_at: Stamp;
};

export type StripeEventTable = {
  id: string;
  type: string;
  customer_id: string | null;
  stripe_created: Stamp;
  payload: ColumnType<unknown, string, string>;
  status: ColumnType<
    'received' | 'processed' | 'dead',
    'received' | undefined,
    'received' | 'processed' | 'dead'
  >;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  received_at: Stamp;
  processed_at: NullableStamp;
};

export type MrrMovementTable = {
  id: Generated<number>;
  tenant_id: string;
  currency: string;
  kind: 'new' | 'expansion' | 'contraction' | 'churned';
  /** Monthly-normalised minor units, always positive; `kind` gives the direction. */
  amount: number;
  stripe_event_id: string | null;
  occurred_at: Stamp;
};

export type DunningCaseTable = {
  invoice_id: string;
  tenant_id: string;
  currency: string;
  amount_due: number;
  recipient: string | null;
  started_at: Stamp;
  grace_until: Stamp;
  recovered_at: NullableStamp;
  recovered_amount: number | null;
};

export type NotificationTable = {
  id: Generated<string>;
  tenant_id: string;
  kind: string;
  invoice_id: string | null;
  step: number | null;
  recipient: string | null;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'canceled';
  created_at: Stamp;
  sent_at: NullableStamp;
};

/** One signing secret of an endpoint; `expiresAt` is set on the previous one by a rotation. */
export type WebhookSecret = { secret: string; createdAt: string; expiresAt: string | null };

export type WebhookEndpointTable = {
  id: Generated<string>;
  tenant_id: string;
  url: string;
  description: ColumnType<string, string | undefined, string>;
  event_types: string[];
  status: ColumnType<'enabled' | 'disabled', 'enabled' | 'disabled' | undefined, 'enabled' | 'disabled'>;
  disabled_reason: string | null;
  secrets: ColumnType<WebhookSecret[], string, string>;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  first_failure_at: NullableStamp;
  disable_warned_at: NullableStamp;
  created_at: Stamp;
  updated_at: Stamp;
};

export type WebhookEventTable = {
  id: string;
  tenant_id: string;
  type: string;
  resource_id: string;
  sequence: number;
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: Stamp;
  received_at: Stamp;
};

export type WebhookMessageStatus = 'pending' | 'delivered' | 'failed';
export type WebhookMessageTable = {
  id: string;
  endpoint_id: string;
  event_id: string;
  tenant_id: string;
  status: ColumnType<WebhookMessageStatus, WebhookMessageStatus | undefined, WebhookMessageStatus>;
  attempt_count: ColumnType<number, number | undefined, number>;
  next_attempt_at: NullableStamp;
  last_attempt_at: NullableStamp;
  delivered_at: NullableStamp;
  created_at: Stamp;
  /** Scheduled attempts made so far (0005); a job for step n claims the message only at n - 1. */
  schedule_step: ColumnType<number, number | undefined, number>;
};

export type WebhookAttemptTable = {
  id: Generated<number>;
  message_id: string;
  endpoint_id: string;
  tenant_id: string;
  attempt_number: number;
  trigger: 'scheduled' | 'manual';
  status_code: number | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number;
  next_attempt_at: NullableStamp;
  created_at: Stamp;
};

export type WebhookRecoveryTable = {
  id: Generated<string>;
  endpoint_id: string;
  tenant_id: string;
  since: Stamp;
  until: Stamp;
  status: ColumnType<
    'running' | 'completed' | 'failed',
    'running' | 'completed' | 'failed' | undefined,
    'running' | 'completed' | 'failed'
  >;
  total: ColumnType<number, number | undefined, number>;
  sent: ColumnType<number, number | undefined, number>;
  created_at: Stamp;
  finished_at: NullableStamp;
};

/** Tables of the billing schema, as Kysely sees them. */
export type BillingDatabase = {
  'billing.audit_log': AuditLogTable;
  'billing.customers': CustomerTable;
  'billing.subscriptions': SubscriptionTable;
  'billing.stripe_events': StripeEventTable;
  'billing.mrr_movements': MrrMovementTable;
  'billing.dunning_cases': DunningCaseTable;
  'billing.notifications': NotificationTable;
  'billing.webhook_endpoints': WebhookEndpointTable;
  'billing.webhook_events': WebhookEventTable;
  'billing.webhook_messages': WebhookMessageTable;
  'billing.webhook_attempts': WebhookAttemptTable;
  'billing.webhook_recoveries': WebhookRecoveryTable;
};
