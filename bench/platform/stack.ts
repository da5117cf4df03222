/**
 * Starts the whole platform on this machine for the load test: a fresh database with every service's
 * migrations, a fake Stripe API, the four services and the three workers as their own processes
 * (`node --import tsx src/main.ts|worker.ts`, as `pnpm start` runs them), on free ports, with one
 * Redis prefix. Development auth: a key pair written to a temporary DEV_AUTH_KEY_FILE mints the tokens.
 */

import { KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClerkKeyPair, loadConfig, mintClerkSessionToken } from '@mna/shared';
import { runMigrations } from '@mna/shared/kit';
import {
  APP_ROLE,
  createTestDatabase,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import pg from 'pg';
import { configSpec as billingConfig } from '../../apps/billing-service/src/config.js';
import { syncCatalog } from '../../apps/billing-service/src/modules/catalog/catalog.sync.js';
import { createStripeClient } from '../../apps/billing-service/src/stripe/stripe.client.js';
import { startFakeStripe } from '../../apps/billing-service/test/fake-stripe.js';
import { freePort, type Spawned, start, waitFor } from '../../infra/test/support/process.js';
import { repoPath } from '../../infra/test/support/repo.js';

/** The gateway's development issuer and plan claim (apps/gateway/src/auth/dev-keys.ts). */
const DEV_ISSUER = 'https://clerk.mna.localhost';
const DEV_PLAN_CLAIM = 'mna_dev_plan';

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** `workers: false` starts the services only (jobs wait in their queues), for tests that need no jobs done. */
export async function startStack(options: { tenants: number; workers?: boolean }) {
  const fake = await startFakeStripe();
  const database = await createTestDatabase();
  const owner = new pg.Pool({ connectionString: database.ownerUrl, max: 2 });
  await owner.query('create extension if not exists vector');
  for (const app of ['search-service', 'billing-service', 'ai-service']) {
    const { migrations, SCHEMA } = await import(repoPath('apps', app, 'src/db/migrations/index.ts'));
    await runMigrations({ ownerUrl: database.ownerUrl, appRole: APP_ROLE, schema: SCHEMA, migrations });
  }
  const stripe = createStripeClient(loadConfig(billingConfig, { ...fake.env }))!;
  await syncCatalog(stripe);

  const work = mkdtempSync(join(tmpdir(), 'mna-platform-'));
  const keys = await generateClerkKeyPair();
  const keyFile = join(work, 'clerk-dev-keys.json');
  const privateKeyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(keyFile, JSON.stringify({ kid: keys.kid, privateKeyPem, publicKeyPem: keys.publicKeyPem }));

  const prefix = uniquePrefix('platform');
  const ports = {
    gateway: await freePort(),
    search: await freePort(),
    ai: await freePort(),
    billing: await freePort(),
  };
  const common = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    DATABASE_URL: database.appUrl,
    MIGRATION_DATABASE_URL: database.ownerUrl,
    DATABASE_POOL_MAX: '20',
    SEARCH_SERVICE_URL: `http://127.0.0.1:${ports.search}`,
  };
  const processes: Array<{ name: string; spawned: Spawned }> = [];
  const launch = (name: string, app: string, entry: string, env: Record<string, string | undefined>) => {
    const spawned = start('node', ['--import', 'tsx', entry], {
      cwd: repoPath('apps', app),
      env: { ...common, ...env },
    });
    processes.push({ name, spawned });
    return spawned;
  };
  launch('search-service', 'search-service', 'src/main.ts', { PORT: String(ports.search) });
  launch('billing-service', 'billing-service', 'src/main.ts', { ...fake.env, PORT: String(ports.billing) });
  launch('ai-service', 'ai-service', 'src/main.ts', { PORT: String(ports.ai) });
  for (const app of options.workers === false ? [] : ['search-service', 'billing-service', 'ai-service']) {
    if (existsSync(repoPath('apps', app, 'src/worker.ts'))) {
      launch(`${app} worker`, app, 'src/worker.ts', app === 'billing-service' ? { ...fake.env } : {});
    }
  }
  for (const [name, port] of [
    ['search', ports.search],
    ['billing', ports.billing],
    ['ai', ports.ai],
  ] as const) {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 90_000, `${name} ready`);
  }
  launch('gateway', 'gateway', 'src/main.ts', {
    PORT: String(ports.gateway),
    DEV_AUTH_KEY_FILE: keyFile,
    AI_SERVICE_URL: `http://127.0.0.1:${ports.ai}`,
    BILLING_SERVICE_URL: `http://127.0.0.1:${ports.billing}`,
    UPSTREAM_CONNECTIONS: '256',
    // Every client here shares 127.0.0.1: the per-IP budget of public routes (plans, webhooks) would
    // otherwise measure the limiter, not the platform. Per-tenant plan limits stay as configured.
    RATE_LIMIT_PUBLIC_PER_WINDOW: '1000000',
  });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${ports.gateway}/readyz`)).ok,
    90_000,
    'gateway ready',
  );

  // One enterprise tenant per organisation, each with a Stripe customer and an active subscription.
  const tenants = await Promise.all(
    Array.from({ length: options.tenants }, async (_, i) => {
      const orgId = `org_bench_${i}`;
      const token = await mintClerkSessionToken(keys, {
        userId: `user_bench_${i}`,
        issuer: DEV_ISSUER,
        expiresInSeconds: 3 * 3600,
        extraClaims: { [DEV_PLAN_CLAIM]: 'enterprise' },
        org: { id: orgId, rol: 'admin', slg: orgId },
      });
      const subscription = fake.subscribe(fake.customer(orgId).id as string, 'mna_enterprise_month_usd');
      return { orgId, token, subscription };
    }),
  );

  return {
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    tenants,
    fake,
    prefix,
    owner,
    processes,
    async stop() {
      for (const { spawned } of processes.slice().reverse()) spawned.child.kill('SIGTERM');
      const codes = await Promise.all(processes.map(async (p) => [p.name, await p.spawned.exited] as const));
      await owner.end();
      await fake.close();
      await database.drop();
      return Object.fromEntries(codes);
    },
  };
}
