import { type Kysely, sql } from 'kysely';
import { enableTenantRls } from './rls.js';

/**
 * BM25 keyword ranking, per tenant, exactly.
 *
 * - `chunks.tsv` is no longer generated from the chunk text alone: a BEFORE trigger builds it from the
 *   text (which starts with the title), the document's industry, region and tags, and the name of the
 *   company the document is tied to, so keyword search matches what the user filled in. `term_count`
 *   is the chunk's length in tokens (positions), BM25's document length.
 * - `term_stats` (document frequency per lexeme) and `tenant_term_totals` (chunk count, total length)
 *   are kept exact by statement-level triggers on chunk inserts and deletes (re-posting a document
 *   deletes and re-inserts its chunks) and a row-level trigger on the rare update that changes tsv.
 *   The unit is the chunk: N counts chunks, df the chunks holding a lexeme.
 * - Lock order: every trigger first locks the tenant's `document_versions` row (which the documents
 *   statement of the same transaction created or locked already; 0008), then the totals row, then the
 *   lexemes in sorted order. A delete that cascades from documents takes the same order, so writers of
 *   one tenant queue on that row and never deadlock on the statistics.
 * - Rows whose df falls to 0 stay (a later insert reuses them); queries skip them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table search.chunks alter column tsv drop expression`.execute(db);
  await sql`alter table search.chunks add column term_count integer not null default 0`.execute(db);
  await sql`create function search.chunk_tsv() returns trigger
    language plpgsql as $$
    declare
      company text;
    begin
      if new.company_id is not null then
        select c.name into company from search.companies c
        where c.id = new.company_id and c.tenant_id = new.tenant_id;
      end if;
      new.tsv := to_tsvector('english',
        concat_ws(E'\n', new.text, new.industry, new.region, array_to_string(new.tags, ' '), company));
      new.term_count := coalesce(
        (select sum(coalesce(array_length(u.positions, 1), 1)) from unnest(new.tsv) u), 0);
      return new;
    end $$`.execute(db);
  await sql`create trigger chunks_tsv before insert or update of text, industry, region, tags, company_id
    on search.chunks for each row execute function search.chunk_tsv()`.execute(db);

  await sql`create table search.term_stats (
    tenant_id text not null,
    lexeme text not null,
    df integer not null,
    primary key (tenant_id, lexeme)
  )`.execute(db);
  await sql`create table search.tenant_term_totals (
    tenant_id text primary key,
    chunk_count bigint not null,
    total_length bigint not null
  )`.execute(db);

  // Existing chunks: recompute tsv through the trigger, then count. The owner runs migrations and RLS
  // is forced on chunks, so it is lifted for these two statements only (inside the migration's
  // transaction).
  await sql`alter table search.chunks no force row level security`.execute(db);
  await sql`update search.chunks set text = text`.execute(db);
  await sql`insert into search.term_stats (tenant_id, lexeme, df)
    select c.tenant_id, u.lexeme, count(*) from search.chunks c, unnest(c.tsv) u group by 1, 2`.execute(db);
  await sql`insert into search.tenant_term_totals (tenant_id, chunk_count, total_length)
    select tenant_id, count(*), sum(term_count) from search.chunks group by tenant_id`.execute(db);
  await sql`alter table search.chunks force row level security`.execute(db);
  await enableTenantRls(db, 'term_stats');
  await enableTenantRls(db, 'tenant_term_totals');

  await sql`create function search.lock_tenant_stats(tenants text[]) returns void
    language plpgsql as $$
    begin
      perform 1 from search.document_versions v where v.tenant_id = any(tenants)
      order by v.tenant_id for update;
    end $$`.execute(db);
  // sign +1 for inserted chunks (transition table "changed" = new rows), -1 for deleted ones.
  await sql`create function search.count_chunk_terms() returns trigger
    language plpgsql as $$
    declare
      sign integer := case when tg_op = 'INSERT' then 1 else -1 end;
    begin
      perform search.lock_tenant_stats(array(select distinct tenant_id from changed));
      insert into search.tenant_term_totals as t (tenant_id, chunk_count, total_length)
      select tenant_id, sign * count(*), sign * sum(term_count) from changed
      group by tenant_id order by tenant_id
      on conflict (tenant_id) do update set chunk_count = t.chunk_count + excluded.chunk_count,
        total_length = t.total_length + excluded.total_length;
      insert into search.term_stats as s (tenant_id, lexeme, df)
      select c.tenant_id, u.lexeme, sign * count(*) from changed c, unnest(c.tsv) u
      group by 1, 2 order by 1, 2
      on conflict (tenant_id, lexeme) do update set df = s.df + excluded.df;
      return null;
    end $$`.execute(db);
  for (const [event, table] of [
    ['insert', 'new'],
    ['delete', 'old'],
  ] as const) {
    await sql`create trigger ${sql.id(`chunks_term_stats_${event}`)} after ${sql.raw(event)} on search.chunks
      referencing ${sql.raw(table)} table as changed
      for each statement execute function search.count_chunk_terms()`.execute(db);
  }
  await sql`create function search.recount_chunk_terms() returns trigger
    language plpgsql as $$
    begin
      perform search.lock_tenant_stats(array[new.tenant_id]);
      update search.tenant_term_totals set total_length = total_length + new.term_count - old.term_count
      where tenant_id = new.tenant_id;
      insert into search.term_stats as s (tenant_id, lexeme, df)
      select new.tenant_id, x.lexeme, sum(x.d) from (
        select u.lexeme, 1 as d from unnest(new.tsv) u
        union all select u.lexeme, -1 from unnest(old.tsv) u
      ) x group by x.lexeme having sum(x.d) <> 0 order by x.lexeme
      on conflict (tenant_id, lexeme) do update set df = s.df + excluded.df;
      return null;
    end $$`.execute(db);
  // Embedding writes update chunks too: the WHEN clause keeps them from ever calling the function.
  await sql`create trigger chunks_term_stats_update after update on search.chunks
    for each row when (old.tsv is distinct from new.tsv)
    execute function search.recount_chunk_terms()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const event of ['insert', 'delete', 'update'])
    await sql`drop trigger ${sql.id(`chunks_term_stats_${event}`)} on search.chunks`.execute(db);
  await sql`drop trigger chunks_tsv on search.chunks`.execute(db);
  await sql`drop function search.recount_chunk_terms()`.execute(db);
  await sql`drop function search.count_chunk_terms()`.execute(db);
  await sql`drop function search.lock_tenant_stats(text[])`.execute(db);
  await sql`drop function search.chunk_tsv()`.execute(db);
  await sql`drop table search.tenant_term_totals`.execute(db);
  await sql`drop table search.term_stats`.execute(db);
  await sql`alter table search.chunks drop column term_count`.execute(db);
  await sql`alter table search.chunks drop column tsv`.execute(db);
  await sql`alter table search.chunks add column tsv tsvector
    generated always as (to_tsvector('english', text)) stored`.execute(db);
  await sql`create index chunks_tsv_gin on search.chunks using gin (tsv search.tsvector_rls_ops)`.execute(db);
}
