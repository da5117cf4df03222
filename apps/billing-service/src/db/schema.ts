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

/** Tables of the billing schema, as Kysely sees them. */
export type BillingDatabase = {
  'billing.audit_log': AuditLogTable;
  'billing.customers': CustomerTable;
  'billing.subscriptions': SubscriptionTable;
  'billing.stripe_events': StripeEventTable;
  'billing.mrr_movements': MrrMovementTable;
  'billing.dunning_cases': DunningCaseTable;
  'billing.notifications': NotificationTable;
};
