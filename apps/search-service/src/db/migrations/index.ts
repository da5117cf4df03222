import type { Migration } from 'kysely';
import * as m0001 from './0001_audit_log.js';
import * as m0002 from './0002_documents.js';
import * as m0003 from './0003_companies.js';
import * as m0004 from './0004_leakproof_tsquery.js';
import * as m0005 from './0005_outbox.js';
import * as m0006 from './0006_scoped_tsquery_match.js';
import * as m0007 from './0007_hnsw_m32.js';
import * as m0008 from './0008_document_versions.js';
import * as m0009 from './0009_document_version_function.js';
import * as m0010 from './0010_bm25_term_stats.js';
import * as m0011 from './0011_embedding_model.js';

/** Migrations of the search schema, applied in key order. */
export const migrations: Record<string, Migration> = {
  '0001_audit_log': m0001,
  '0002_documents': m0002,
  '0003_companies': m0003,
  '0004_leakproof_tsquery': m0004,
  '0005_outbox': m0005,
  '0006_scoped_tsquery_match': m0006,
  '0007_hnsw_m32': m0007,
  '0008_document_versions': m0008,
  '0009_document_version_function': m0009,
  '0010_bm25_term_stats': m0010,
  '0011_embedding_model': m0011,
};

export const SCHEMA = 'search';
