// Partner ranking on real acquisitions (CrunchBase 2015-12 export via github notpeter/crunchbase-data,
// CC-BY-NC 4.0, evaluation use only; the file is not in the repo). The product path: ai-service's
// partners service in this process with the real search-service (HTTP + embedding worker processes,
// Postgres/pgvector) behind its real HTTP client; baselines ranked in the same run.
//
// Run:  cd bench && PARTNERS_CRUNCHBASE_CSV=/path/to/acquisitions.csv pnpm exec tsx partners/run.ts [--fit]
//   --fit       refit the acquisition model on the training window and rewrite
//               apps/ai-service/src/modules/ecosystem/partners.acquisition-model.ts, then evaluate with it
//   PARTNERS_ACQUIRERS=150  acquirers (5–20 acquisitions each) chosen by the hash of their permalink; 0 = all
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createLogger, createMetrics, type Principal } from '@mna/shared';
import { createDb, createRedis } from '@mna/shared/kit';
import { deleteKeysWithPrefix, TEST_INTERNAL_SECRET, testPrincipal, uniquePrefix } from '@mna/testing';
import { configSpec } from '../../apps/ai-service/src/config.js';
import type { AiDatabase } from '../../apps/ai-service/src/db/schema.js';
import { ACQUISITION_MODEL } from '../../apps/ai-service/src/modules/ecosystem/partners.acquisition-model.js';
import type { LogisticModel } from '../../apps/ai-service/src/modules/ecosystem/partners.model.js';
import type { Factors } from '../../apps/ai-service/src/modules/ecosystem/partners.scoring.js';
import { createSearchClient } from '../../apps/ai-service/src/modules/ecosystem/search-client.js';
import { createAiQueues } from '../../apps/ai-service/src/queues.js';
import { createAiServices } from '../../apps/ai-service/src/services.js';
import {
  chooseAcquirers,
  readAcquisitions,
  type Window,
} from '../../apps/ai-service/test/acquisitions/crunchbase.js';
import { evaluateWindow, type WindowResult } from '../../apps/ai-service/test/acquisitions/evaluate.js';
import { startSearchStack } from '../../apps/ai-service/test/acquisitions/search-stack.js';
import { migratedAiDatabase, REDIS_URL } from '../ai/in-process-ai.js';
import { fitLogistic, type Row } from './logistic.js';

const csvPath = process.env.PARTNERS_CRUNCHBASE_CSV;
if (!csvPath) throw new Error('Set PARTNERS_CRUNCHBASE_CSV to the CrunchBase acquisitions.csv.');
const fit = process.argv.includes('--fit');
const sample = Number(process.env.PARTNERS_ACQUIRERS ?? 150);
/** Training: ties up to 2009, outcomes 2010–2011. Held out: ties up to 2011, outcomes 2012 on. */
const TRAIN: Window = { name: 'train', knownUntil: 2009, until: 2011 };
const TEST: Window = { name: 'held-out', knownUntil: 2011, until: 9999 };
const FACTORS: Array<keyof Factors> = [
  'strategicFit',
  'sectorComplementarity',
  'sizeFit',
  'geographicFit',
  'networkProximity',
  'influence',
  'textSimilarity',
  'tagOverlap',
  'portfolioFit',
];
const L2 = 1;

const data = readAcquisitions(readFileSync(csvPath, 'utf8'));
const acquirers = chooseAcquirers(data.deals, { min: 5, max: 20, ...(sample ? { sample } : {}) });
const stack = await startSearchStack();
const prefix = uniquePrefix('bench-partners');
const database = await migratedAiDatabase();
const db = createDb<AiDatabase>({ connectionString: database.appUrl, max: 2 });
const redis = createRedis(REDIS_URL);
const queues = createAiQueues(redis, prefix);
const config = configSpec.schema.parse({
  NODE_ENV: 'test',
  INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
  REDIS_URL,
  REDIS_PREFIX: prefix,
  SEARCH_SERVICE_URL: stack.url,
});
const search = createSearchClient({
  baseUrl: stack.url,
  internalTokenSecret: TEST_INTERNAL_SECRET,
  timeoutMs: 60_000,
});
const services = createAiServices({
  db,
  config,
  logger: createLogger({ service: 'ai-service', level: 'silent' }),
  metrics: createMetrics('ai-service'),
  redis,
  ...queues,
  graphQueue: null,
  search,
});

async function run(window: Window, rows?: Row[]): Promise<WindowResult> {
  const tenantId = `org_partners_${window.name.replace(/\W/g, '')}_${prefix.slice(-8)}`;
  const principal = testPrincipal({ tenantId }) as Principal;
  return evaluateWindow({
    searchUrl: stack.url,
    tenantId,
    data,
    acquirers,
    window,
    waitEmbedded: () => stack.embedded(tenantId),
    rank: async (task, ids) => {
      // In process the route's limit of 50 does not apply: every scored candidate, for the AUC.
      const result = await services.partners.findPartners(principal, {
        companyId: ids.get(task.acquirer)!,
        goal: 'acquisition',
        limit: 100_000,
      });
      const relevant = new Set([...task.relevant].map((ref) => ids.get(ref)));
      for (const c of result.candidates)
        rows?.push({
          factors: c.factors,
          unknown: new Set(c.evidence.unknown as Array<keyof Factors>),
          label: relevant.has(c.companyId) ? 1 : 0,
        });
      return result.candidates.map((c) => c.companyId);
    },
  });
}

const pct = (v: number) => v.toFixed(3);
function table(r: WindowResult): string {
  const line = (name: string, m: WindowResult['product']) =>
    `| ${name} | ${pct(m.p10)} | ${pct(m.p50)} | ${pct(m.auc)} |`;
  return [
    `${r.window.name} window (ties known up to ${r.window.knownUntil}, outcomes to ${r.window.until}): ` +
      `${r.tasks} acquirers ranked, ${r.companies} companies, ${r.ties} known ties`,
    '',
    '| ranker | precision@10 | precision@50 | AUC |',
    '| --- | --- | --- | --- |',
    line('product (POST /v1/ai/partners/find, acquisition)', r.product),
    line('TF-IDF cosine, acquirer profile', r.tfidf),
    line('category overlap (Jaccard)', r.categoryOverlap),
    line('TF-IDF, max over known acquisitions', r.tfidfPortfolio),
    line('random', r.random),
  ].join('\n');
}

try {
  const started = Date.now();
  const results: WindowResult[] = [];
  if (fit) {
    const rows: Row[] = [];
    results.push(await run(TRAIN, rows));
    const fitted = fitLogistic(rows, FACTORS, L2);
    const model: LogisticModel = {
      ...fitted,
      fitted: {
        script: 'bench/partners/run.ts --fit',
        data: `CrunchBase 2015-12 acquisitions.csv, ${acquirers.size} acquirers with 5-20 acquisitions (hash-chosen)`,
        split: `train: ties to ${TRAIN.knownUntil}, outcomes ${TRAIN.knownUntil + 1}-${TRAIN.until}; the held-out window is never read`,
        examples: rows.length,
        positives: rows.filter((r) => r.label === 1).length,
        l2: L2,
        date: new Date().toISOString().slice(0, 10),
      },
    };
    writeFileSync(
      new URL('../../apps/ai-service/src/modules/ecosystem/partners.acquisition-model.ts', import.meta.url),
      `import type { LogisticModel } from './partners.model.js';\n\n` +
        `// Generated by bench/partners/run.ts --fit; do not edit by hand (rerun the script to refit).\n` +
        `export const ACQUISITION_MODEL: LogisticModel = ${JSON.stringify(model, null, 2)};\n`,
    );
    // The service in this process reads the same object: the held-out window is scored by the new fit.
    Object.assign(ACQUISITION_MODEL, model);
    console.log(`fitted on ${rows.length} rows: ${JSON.stringify(model.features)}`);
  }
  results.push(await run(TEST));
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${os.cpus().length} vCPU`,
        seconds: (Date.now() - started) / 1000,
        results,
      },
      null,
      2,
    ),
  );
  for (const r of results) console.log(`\n${table(r)}`);
} finally {
  await queues.dealQueue.close();
  await queues.graphQueue.close();
  await deleteKeysWithPrefix(prefix, REDIS_URL);
  redis.disconnect();
  await search.close();
  await db.destroy();
  await database.drop();
  await stack.close();
}
