import type { Migration } from 'kysely';
import * as m0001 from './0001_audit_log.js';
import * as m0002 from './0002_billing.js';
import * as m0003 from './0003_outbox.js';
import * as m0004 from './0004_partner_webhooks.js';
import * as m0005 from './0005_webhook_delivery.js';

/** Migrations of the billing schema, applied in key order. */
export const migrations: Record<string, Migration> = {
  '0001_audit_log': m0001,
  '0002_billing': m0002,
  '0003_outbox': m0003,
  '0004_partner_webhooks': m0004,
  '0005_webhook_delivery': m0005,
};

export const SCHEMA = 'billing';
