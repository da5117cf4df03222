import { type Kysely, sql } from 'kysely';

/**
 * Replaces 0004, which marked the built-in pg_catalog.ts_match_vq LEAKPROOF for the whole database
 * (every schema and role, and lost on dump/restore without a trace). Under row level security Postgres
 * only turns a condition into an index condition when its operator is LEAKPROOF; the trust is now
 * confined to an operator of this schema: `search.@@`, the same C function (ts_match_vq) declared
 * LEAKPROOF under another name, with a GIN operator class of its own (the built-in tsvector_ops
 * support functions) for the index on chunks.tsv. Queries use `operator(search.@@)`; the built-in
 * `@@` is back to its default everywhere.
 *
 * Declaring an internal-language LEAKPROOF function and an operator class needs a superuser, as 0004
 * did. Without one, `search.@@` is the plain built-in function: keyword search works, without GIN.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`do $$
    begin
      if (select rolsuper from pg_roles where rolname = current_user) then
        create function search.tsv_match(tsvector, tsquery) returns boolean
          language internal immutable strict parallel safe leakproof as 'ts_match_vq';
        create operator search.@@ (leftarg = tsvector, rightarg = tsquery, function = search.tsv_match,
          restrict = tsmatchsel, join = tsmatchjoinsel);
        create operator class search.tsvector_rls_ops for type tsvector using gin as
          operator 1 search.@@ (tsvector, tsquery),
          function 1 gin_cmp_tslexeme(text, text),
          function 2 gin_extract_tsvector(tsvector, internal, internal),
          function 3 gin_extract_tsquery(tsvector, internal, smallint, internal, internal, internal, internal),
          function 4 gin_tsquery_consistent(internal, smallint, tsvector, integer, internal, internal, internal, internal),
          function 5 gin_cmp_prefix(text, text, smallint, internal),
          function 6 gin_tsquery_triconsistent(internal, smallint, tsvector, integer, internal, internal, internal),
          storage text;
        drop index search.chunks_tsv_gin;
        create index chunks_tsv_gin on search.chunks using gin (tsv search.tsvector_rls_ops);
        alter function pg_catalog.ts_match_vq(tsvector, tsquery) not leakproof;
      else
        create operator search.@@ (leftarg = tsvector, rightarg = tsquery,
          function = pg_catalog.ts_match_vq, restrict = tsmatchsel, join = tsmatchjoinsel);
        raise notice 'not a superuser: search.@@ is not leakproof, GIN on tsv unused under RLS';
      end if;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists search.chunks_tsv_gin`.execute(db);
  await sql`drop operator class if exists search.tsvector_rls_ops using gin`.execute(db);
  await sql`drop operator if exists search.@@ (tsvector, tsquery)`.execute(db);
  await sql`drop function if exists search.tsv_match(tsvector, tsquery)`.execute(db);
  await sql`create index chunks_tsv_gin on search.chunks using gin (tsv)`.execute(db);
}
