import type { Migration } from 'kysely';
import * as m0001 from './0001_audit_log.js';
import * as m0002 from './0002_outbox.js';

/** Migrations of the ai schema, applied in key order. */
export const migrations: Record<string, Migration> = {
  '0001_audit_log': m0001,
  '0002_outbox': m0002,
};

export const SCHEMA = 'ai';
