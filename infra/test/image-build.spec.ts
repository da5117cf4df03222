import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, uniquePrefix } from '@mna/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { execForm, healthcheckCommand, parseDockerfile, runCommands } from './support/dockerfile.js';
import { freePort, run, start, waitFor } from './support/process.js';
import { listApps, ROOT } from './support/repo.js';

/**
 * Docker is not available here, so each image's build steps run as the Dockerfile writes them, outside
 * a container: the tsup bundle and `pnpm deploy` of the app's production closure, then the runtime
 * stage's layout (package.json, node_modules, dist). The result must migrate, start, pass the image's own
 * HEALTHCHECK command and exit 0 on SIGTERM, with nothing from the workspace beside it.
 */
const work = mkdtempSync(join(tmpdir(), 'mna-image-'));
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  await rm(work, { recursive: true, force: true });
}, 180_000);

describe.each(listApps().map((a) => a))('the $name image, built outside Docker', (app) => {
  const dockerfile = parseDockerfile(`infra/docker/${app.name}.Dockerfile`);
  const build = dockerfile.stages.find((s) => s.name === 'build')!;
  const runtime = dockerfile.stages.at(-1)!;
  const image = join(work, app.name);

  it('builds with the Dockerfile’s own tsup and pnpm deploy commands', async () => {
    const commands = runCommands(build.instructions);
    const bundle = commands.find((c) => c.includes('exec tsup'))!;
    const deploy = commands.find((c) => c.includes(' deploy '))!;
    const dist = join(image, 'dist');
    await run('sh', ['-c', `${bundle} --out-dir ${dist}`], { cwd: ROOT });
    // pnpm deploy reads the store other engineers' installs write: take the same lock they do.
    await run('flock', ['/tmp/pnpm.lock', 'sh', '-c', deploy.replace(/ \/out$/, ` ${join(image, 'out')}`)], {
      cwd: ROOT,
    });
    // The runtime stage keeps package.json and node_modules of the deploy, and the bundle.
    mkdirSync(join(image, 'app'));
    renameSync(join(image, 'out/package.json'), join(image, 'app/package.json'));
    renameSync(join(image, 'out/node_modules'), join(image, 'app/node_modules'));
    cpSync(dist, join(image, 'app/dist'), { recursive: true });
    expect(existsSync(join(image, 'app/dist/main.js'))).toBe(true);
    expect(existsSync(join(image, 'app/dist/worker.js'))).toBe(app.hasWorker);
    expect(existsSync(join(image, 'app/dist/migrate.js'))).toBe(app.hasMigrate);
    expect(existsSync(join(image, 'app/node_modules/vitest')), 'dev dependencies were deployed').toBe(false);
  }, 180_000);

  it('migrates, serves, passes its HEALTHCHECK and drains on SIGTERM', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      REDIS_PREFIX: uniquePrefix(`image-${app.name}`),
      DEV_AUTH_KEY_FILE: join(image, 'dev-keys.json'),
    };
    const cwd = join(image, 'app');
    if (app.hasMigrate) {
      await run('psql', [db.ownerUrl, '-qc', 'create extension if not exists vector'], { cwd });
      await run('node', ['dist/migrate.js'], { cwd, env });
    }
    const cmd = execForm(runtime.instructions.find((i) => i.getKeyword() === 'CMD')!)!;
    const server = start(cmd[0]!, cmd.slice(1), { cwd, env });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 30_000, 'healthz');
      const ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
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
      const worker = start('node', ['dist/worker.js'], { cwd: join(image, 'app'), env });
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
