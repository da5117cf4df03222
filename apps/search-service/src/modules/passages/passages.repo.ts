import { sql, type Transaction } from 'kysely';
import type { SearchDatabase } from '../../db/schema.js';

type Trx = Transaction<SearchDatabase>;

export type PassageRow = {
  document_id: string;
  chunk_id: string;
  title: string;
  kind: string;
  seq: number;
  text: string;
  score: number;
};

/** The query's words as an OR of lexemes; only [a-z0-9] words reach to_tsquery, so no syntax can be injected. */
export function orQuery(text: string): string {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((w) => w.length > 1);
  return words
    .map((w) => w.replace(/[^a-z0-9]/g, ''))
    .filter(Boolean)
    .join(' | ');
}

/** Every query names the tenant even though RLS would filter anyway: defence in depth. */
export function createPassagesRepo() {
  return {
    countDocuments: async (trx: Trx, tenantId: string, ids: string[]) =>
      (
        await trx
          .selectFrom('search.documents')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids)
          .executeTakeFirstOrThrow()
      ).n,

    /**
     * Chunks of the documents ranked by ts_rank_cd against the OR query, interleaved: every
     * document's best chunk, then every document's second best, and so on; chunks matching nothing
     * follow in document order (a document's opening is still evidence).
     */
    rankedChunks: async (trx: Trx, tenantId: string, ids: string[], query: string, limit: number) => {
      const q = orQuery(query);
      const rank = q ? sql`ts_rank_cd(c.tsv, to_tsquery('english', ${q}), 32)::float8` : sql`0::float8`;
      const { rows } = await sql<PassageRow>`
        select document_id, chunk_id, title, kind, seq, text, score from (
          select c.document_id, c.id as chunk_id, d.title, d.kind, c.seq, c.text, ${rank} as score,
                 row_number() over (partition by c.document_id order by ${rank} desc, c.seq) as place
          from search.chunks c join search.documents d on d.id = c.document_id and d.tenant_id = c.tenant_id
          where c.tenant_id = ${tenantId} and c.document_id = any(${ids}::uuid[])
        ) ranked
        order by place, score desc, document_id
        limit ${limit}`.execute(trx);
      return rows;
    },
  };
}
