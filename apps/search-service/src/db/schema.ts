import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export type AuditLogTable = {
  id: Generated<number>;
  tenant_id: string;
  actor: string;
  action: string;
  target: string | null;
  request_id: string | null;
  details: Json<Record<string, unknown>>;
  created_at: CreatedAt;
};

export type IndexStatus = 'queued' | 'indexed' | 'failed';

export type DocumentsTable = {
  id: Generated<string>;
  tenant_id: string;
  external_id: string;
  kind: string;
  title: string;
  content: string;
  metadata: Json<Record<string, unknown>>;
  content_hash: string;
  status: ColumnType<IndexStatus, IndexStatus | undefined, IndexStatus>;
  error: string | null;
  dead_lettered: ColumnType<boolean, boolean | undefined, boolean>;
  chunk_count: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

/**
 * Vectors travel as pgvector text ('[0.1,...]'); tsv and term_count are set by a trigger (0010) from
 * the text and the document's metadata.
 */
export type ChunksTable = {
  id: Generated<string>;
  tenant_id: string;
  document_id: string;
  seq: number;
  text: string;
  tsv: ColumnType<string, never, never>;
  term_count: ColumnType<number, never, never>;
  embedding: ColumnType<string | null, string | null | undefined, string | null>;
  embedded_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The model that made `embedding` (migration 0011); null before it was recorded. */
  embedding_model: ColumnType<string | null, string | null | undefined, string | null>;
  kind: string;
  industry: string | null;
  region: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  company_id: string | null;
  deal_size_usd: number | null;
  published_at: ColumnType<Date | null, string | Date | null | undefined, string | Date | null>;
  created_at: CreatedAt;
};

export type CompaniesTable = {
  id: Generated<string>;
  tenant_id: string;
  external_id: string | null;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  industry: string | null;
  region: string | null;
  employees: number | null;
  revenue_usd: number | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  profile_hash: string;
  embedding: ColumnType<string | null, string | null | undefined, string | null>;
  embedding_status: ColumnType<IndexStatus, IndexStatus | undefined, IndexStatus>;
  embedding_model: ColumnType<string | null, string | null | undefined, string | null>;
  error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

export type RelationshipsTable = {
  id: Generated<string>;
  tenant_id: string;
  from_company_id: string;
  to_company_id: string;
  kind: string;
  strength: number;
  source: string | null;
  since: ColumnType<Date | null, string | Date | null | undefined, string | Date | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
};

/** One row per tenant, bumped by triggers whenever one of its documents changes (0008). */
export type DocumentVersionsTable = { tenant_id: string; version: number };

/** Tables of the search schema, as Kysely sees them. */
export type SearchDatabase = {
  'search.audit_log': AuditLogTable;
  'search.documents': DocumentsTable;
  'search.document_versions': DocumentVersionsTable;
  'search.chunks': ChunksTable;
  'search.companies': CompaniesTable;
  'search.relationships': RelationshipsTable;
};
