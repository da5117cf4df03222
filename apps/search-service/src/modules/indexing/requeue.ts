import { withTenant } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import type { SearchDatabase } from '../../db/schema.js';
import type { EmbedEnqueuer } from './indexing.queue.js';

/**
 * Puts a tenant's dead-lettered documents and companies back on the queue, and with `staleMinutes`
 * also rows still queued for longer than that (an enqueue lost to a Redis outage after commit).
 */
export async function requeueDead(
  deps: { db: Kysely<SearchDatabase>; enqueueEmbed: EmbedEnqueuer },
  tenantId: string,
  options: { staleMinutes?: number } = {},
) {
  const stale = options.staleMinutes;
  const { documents, companies } = await withTenant(deps.db, tenantId, async (trx) => {
    const docs = await trx
      .updateTable('search.documents')
      .set({ status: 'queued', dead_lettered: false, error: null, updated_at: sql<Date>`clock_timestamp()` })
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb('dead_lettered', '=', true),
          ...(stale !== undefined
            ? [
                eb.and([
                  eb('status', '=', 'queued'),
                  eb('updated_at', '<', sql<Date>`now() - make_interval(mins => ${stale})`),
                ]),
              ]
            : []),
        ]),
      )
      .returning('id')
      .execute();
    const comps = await trx
      .updateTable('search.companies')
      .set({ embedding_status: 'queued', error: null })
      .where('tenant_id', '=', tenantId)
      .where('embedding', 'is', null)
      .where((eb) =>
        eb.or([
          eb('embedding_status', '=', 'failed'),
          ...(stale !== undefined
            ? [
                eb.and([
                  eb('embedding_status', '=', 'queued'),
                  eb('updated_at', '<', sql<Date>`now() - make_interval(mins => ${stale})`),
                ]),
              ]
            : []),
        ]),
      )
      .returning('id')
      .execute();
    return { documents: docs.map((d) => d.id), companies: comps.map((c) => c.id) };
  });
  await deps.enqueueEmbed(tenantId, 'document', documents);
  await deps.enqueueEmbed(tenantId, 'company', companies);
  return { documents: documents.length, companies: companies.length };
}
