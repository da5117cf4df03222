import type { Migration } from 'kysely';
import * as m0001 from './0001_audit_log.js';
import * as m0002 from './0002_outbox.js';
import * as m0003 from './0003_record_audit.js';

/** Migrations of the ai schema, applied in key order. */
export const migrations: Record<string, Migration> = {
  '0001_audit_log': m0001,
  '0002_outbox': m0002,
  '0003_record_audit': m0003,
};

export const SCHEMA = 'ai';
