import { internalHeaders } from '@mna/testing';
import { Pool } from 'undici';
import { migratedSearchDatabase } from '../../apps/ai-service/test/acquisitions/search-stack.js';
import { startServiceProcess } from '../../apps/ai-service/test/processes.js';

/**
 * The real search-service as its own process on a scratch database migrated like production, with
 * one document per tenant (so each has a documents' version and evidence to find). No embedding
 * worker runs: the documents stay pending, which a cache hit never looks at.
 */
export async function startSearchServiceProcess(env: Record<string, string>, tenants: string[]) {
  const database = await migratedSearchDatabase();
  const service = await startServiceProcess('search-service', { ...env, DATABASE_URL: database.appUrl });
  const client = new Pool(service.url, { connections: 1 });
  try {
    for (const tenantId of tenants) {
      const response = await client.request({
        method: 'POST',
        path: '/v1/documents',
        headers: { ...(await internalHeaders({ tenantId })), 'content-type': 'application/json' },
        body: JSON.stringify({
          externalId: 'memo',
          kind: 'deal_memo',
          title: 'Acme Robotics: management presentation',
          content:
            'Acme Robotics builds warehouse automation; revenue grew 18% with an EBITDA margin of 22%.',
        }),
      });
      if (response.statusCode !== 202) throw new Error(`ingest: ${await response.body.text()}`);
      await response.body.dump();
    }
  } finally {
    await client.close();
  }
  return {
    url: service.url,
    close: async () => {
      await service.stop();
      await database.drop();
    },
  };
}
