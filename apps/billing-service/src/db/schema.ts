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

/** Tables of the billing schema, as Kysely sees them. */
export type BillingDatabase = {
  'billing.audit_log': AuditLogTable;
};
