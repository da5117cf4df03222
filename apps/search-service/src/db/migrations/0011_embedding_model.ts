import { type Kysely, sql } from 'kysely';

/**
 * The model that made each stored vector, on chunks and companies. Searches compare only vectors of
 * the query embedder's model, and the worker re-embeds rows of any other model in the background.
 * Vectors stored before this migration have no recorded model (null): they count as another model and
 * are re-embedded once, since nothing tells which provider made them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table search.chunks add column embedding_model text`.execute(db);
  await sql`alter table search.companies add column embedding_model text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table search.chunks drop column embedding_model`.execute(db);
  await sql`alter table search.companies drop column embedding_model`.execute(db);
}
