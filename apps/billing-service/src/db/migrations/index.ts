import type { Migration } from 'kysely';
import * as m0001 from './0001_audit_log.js';

/** Migrations of the billing schema, applied in key order. */
export const migrations: Record<string, Migration> = {
  '0001_audit_log': m0001,
};

export const SCHEMA = 'billing';
