import { fileURLToPath } from 'node:url';
import { benchSearchClient, startSearchStack } from '../search/setup.js';
import type { Collection } from './collection.js';
import { type CollectionReport, evaluateCollection } from './evaluate.js';
import { contractVariants, type Variant } from './platform.js';

/** The committed samples (attribution and how they were cut: samples/README.md). */
export const SAMPLES = {
  cranfield: fileURLToPath(new URL('./samples/cranfield-sample.json', import.meta.url)),
  crunchbase: fileURLToPath(new URL('./samples/crunchbase-sample.json', import.meta.url)),
};

/**
 * A search stack in this process (a scratch database migrated like production, the service on a
 * random port, its embedding worker), each collection evaluated in a tenant of its own, then closed.
 */
export async function runHarness(options: {
  collections: Collection[];
  extraVariants?: Variant[];
  log?: (line: string) => void;
}): Promise<{ variants: Variant[]; reports: CollectionReport[] }> {
  const variants = contractVariants(options.extraVariants);
  const stack = await startSearchStack();
  stack.startWorker();
  const client = benchSearchClient(stack.url);
  try {
    const reports: CollectionReport[] = [];
    for (const collection of options.collections)
      reports.push(
        await evaluateCollection({
          client,
          postgresUrl: stack.database.ownerUrl,
          tenantId: `org_relevance_${collection.name}`,
          collection,
          variants,
          ...(options.log ? { log: options.log } : {}),
        }),
      );
    return { variants, reports };
  } finally {
    await client.close();
    await stack.close();
  }
}
