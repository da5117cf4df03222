import { type Kysely, sql } from 'kysely';

/**
 * Superseded by 0006 (an operator of the search schema instead of a database-wide catalog change),
 * which reverts the flag; kept because migrations already applied are never edited.
 *
 * Under row level security Postgres only uses an index for a condition whose operator is LEAKPROOF
 * (otherwise it could run on rows the policy hides). `tsvector @@ tsquery` (ts_match_vq) is not
 * marked so, which would keep the GIN index on chunks.tsv out of every keyword query the
 * application role runs. It only compares its two arguments and raises no data-dependent errors, so
 * it is marked LEAKPROOF here. That needs a superuser; without one the migration leaves it, and
 * keyword search still works, through the b-tree indexes and a filter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`do $$
    begin
      if (select rolsuper from pg_roles where rolname = current_user) then
        alter function pg_catalog.ts_match_vq(tsvector, tsquery) leakproof;
      else
        raise notice 'not a superuser: ts_match_vq stays non-leakproof, GIN on tsv unused under RLS';
      end if;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  // Left as is: the flag is harmless, and other schemas of this database may rely on it by now.
}
