import type { Migration } from 'kysely';
import * as m0001 from './0001_audit_log.js';
import * as m0002 from './0002_billing.js';

/** Migrations of the billing schema, applied in key order. */
export const migrations: Record<string, Migration> = {
  '0001_audit_log': m0001,
  '0002_billing': m0002,
};

export const SCHEMA = 'billing';
