import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, uniquePrefix } from '@mna/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { execForm, healthcheckCommand, parseDockerfile, runCommands } from './support/dockerfile.js';
import { freePort, run, start, waitFor } from './support/process.js';
import { listApps, ROOT } from './support/repo.js';
import { exportsSeries, queriedMetricNames, ruleSelectors, type Selector } from './support/rules.js';

/** Bare specifiers (npm packages) the bundle's files import, as package names. */
function bareImports(dir: string): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(join(dir, file), 'utf8');
    // Import and re-export statements only: `from "…"` inside a string (SQL's `is distinct from`) is not one.
    const statements = /(?:^|[\n;])\s*(?:import|export)\s[^"';]*?\bfrom\s*["']([^"'./][^"']*)["']/g;
    for (const [, spec] of code.matchAll(statements)) {
      if (isBuiltin(spec!)) continue;
      names.add(
        spec!
          .split('/')
          .slice(0, spec!.startsWith('@') ? 2 : 1)
          .join('/'),
      );
    }
  }
  return [...names];
}

/**
 * Docker is not available here, so each image's build step runs as the Dockerfile writes it, outside a
 * container: the app's own `pnpm build` (infra/docker/build-app.mjs: the tsup bundle and `pnpm deploy` of
 * the app's production closure into dist), then the runtime stage's layout (/app/dist). The result must
 * migrate, start, answer /healthz, pass the image's own HEALTHCHECK command and exit 0 on SIGTERM, with
 * nothing from the workspace beside it. So this is also the test of every app's `pnpm build`.
 */
const work = mkdtempSync(join(tmpdir(), 'mna-image-'));
const databases: TestDatabase[] = [];
/** Each built service's /metrics, as it answers right after start-up, for the checks of the alerts. */
const scraped = new Map<string, string>();
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  await rm(work, { recursive: true, force: true });
}, 180_000);

describe.each(listApps().map((a) => a))('the $name image, built outside Docker', (app) => {
  const dockerfile = parseDockerfile(`infra/docker/${app.name}.Dockerfile`);
  const buildStage = dockerfile.stages.find((s) => s.name === 'build')!;
  const runtime = dockerfile.stages.at(-1)!;
  // The runtime stage's layout: /app with the build's dist copied in, and nothing else.
  const cwd = join(work, app.name, 'app');
  const dist = join(cwd, 'dist');

  it('builds with the Dockerfile’s command, the app’s own `pnpm build`, into a self-contained dist', async () => {
    const build = runCommands(buildStage.instructions).find((c) => c.endsWith(' run build'))!;
    // pnpm deploy reads the store other engineers' installs write: take the same lock they do.
    await run('flock', ['/tmp/pnpm.lock', 'sh', '-c', `${build} --out-dir ${dist}`], { cwd: ROOT });
    expect(existsSync(join(dist, 'main.js'))).toBe(true);
    expect(existsSync(join(dist, 'worker.js'))).toBe(app.hasWorker);
    expect(existsSync(join(dist, 'migrate.js'))).toBe(app.hasMigrate);
    expect(existsSync(join(dist, 'package.json'))).toBe(true);
    // Every npm package the bundle imports (those of @mna/shared too, e.g. bullmq) is in dist/node_modules.
    const imported = bareImports(dist);
    expect(imported).toContain('fastify');
    for (const name of imported) {
      expect(existsSync(join(dist, 'node_modules', name, 'package.json')), `${name} is not deployed`).toBe(
        true,
      );
    }
    expect(existsSync(join(dist, 'node_modules/vitest')), 'dev dependencies were deployed').toBe(false);
  }, 180_000);

  it('migrates, serves, passes its HEALTHCHECK and drains on SIGTERM', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const port = await freePort();
    // The gateway serves /metrics on its private METRICS_PORT only; the other services ignore it.
    const metricsPort = app.name === 'gateway' ? await freePort() : port;
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      REDIS_PREFIX: uniquePrefix(`image-${app.name}`),
      DEV_AUTH_KEY_FILE: join(work, app.name, 'dev-keys.json'),
    };
    if (app.hasMigrate) {
      await run('psql', [db.ownerUrl, '-qc', 'create extension if not exists vector'], { cwd });
      await run('node', ['dist/migrate.js'], { cwd, env });
    }
    const cmd = execForm(runtime.instructions.find((i) => i.getKeyword() === 'CMD')!)!;
    const server = start(cmd[0]!, cmd.slice(1), { cwd, env });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 30_000, 'healthz');
      const ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
      scraped.set(app.name, await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
      const probe = healthcheckCommand(runtime.instructions.find((i) => i.getKeyword() === 'HEALTHCHECK')!)!;
      const probed = start(probe[0]!, probe.slice(1), { cwd, env });
      expect(await probed.exited).toBe(ready === 200 ? 0 : 1);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited, server.output()).toBe(0);
    expect(server.output()).toContain('shutdown complete');
  }, 60_000);

  it.runIf(app.hasWorker)(
    'starts its worker and stops it on SIGTERM',
    async () => {
      const env = {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        DATABASE_URL: databases.at(-1)?.appUrl,
        MIGRATION_DATABASE_URL: databases.at(-1)?.ownerUrl,
        REDIS_PREFIX: uniquePrefix(`image-worker-${app.name}`),
        // Billing's worker only runs with a Stripe key; this one points at a closed local port.
        STRIPE_SECRET_KEY: 'sk_test_image_build',
        STRIPE_API_HOST: '127.0.0.1',
        STRIPE_API_PORT: '9',
        STRIPE_API_PROTOCOL: 'http',
      };
      const worker = start('node', ['dist/worker.js'], { cwd, env });
      await waitFor(async () => worker.output().includes('worker started'), 30_000, 'worker started').catch(
        (error: Error) => {
          worker.child.kill('SIGKILL');
          throw new Error(`${error.message}\n${worker.output()}`);
        },
      );
      // Steady state first: a SIGTERM in the first instants races BullMQ's start-up commands (seen with
      // billing's worker: exit 1 on a closed Redis connection); this test is about the image.
      await new Promise((r) => setTimeout(r, 1_000));
      worker.child.kill('SIGTERM');
      expect(await worker.exited, worker.output()).toBe(0);
    },
    60_000,
  );
});

describe('the alert rules and the dashboard, against the /metrics of the built services', () => {
  const texts = () => {
    expect([...scraped.keys()].sort(), 'every built service was scraped').toEqual(
      listApps()
        .map((a) => a.name)
        .sort(),
    );
    return [...scraped.values()];
  };

  it('query only metrics that some service exports', () => {
    const all = texts();
    const missing = queriedMetricNames().filter(
      (name) => !all.some((text) => exportsSeries(text, { metric: name, matchers: [] })),
    );
    expect(missing).toEqual([]);
  });

  it('alert only on series a service exports: each queue, dependency and state they name', () => {
    const all = texts();
    const missing = ruleSelectors()
      .filter((selector) => !all.some((text) => exportsSeries(text, selector)))
      .map(
        (s) => `${s.rule}: ${s.metric}{${s.matchers.map((m) => `${m.label}${m.op}"${m.value}"`).join(',')}}`,
      );
    expect([...new Set(missing)]).toEqual([]);
    // The check can fail: a queue or a dependency that no service has is not found.
    const noQueue = {
      metric: 'bullmq_queue_jobs',
      matchers: [{ label: 'queue', op: '=', value: 'no-such' }],
    };
    const noDependency = {
      metric: 'mna_dependency_up',
      matchers: [{ label: 'dependency', op: '=~', value: 'mainframe|fax' }],
    };
    for (const selector of [noQueue, noDependency] as Selector[]) {
      expect(all.some((text) => exportsSeries(text, selector))).toBe(false);
    }
  });
});
