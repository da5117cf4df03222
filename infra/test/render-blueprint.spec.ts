import { existsSync } from 'node:fs';
import { loadConfig } from '@mna/shared';
import { roleOf } from '@mna/shared/kit';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { matchesAny } from './support/glob.js';
import { appOf, expandEnv, loadBlueprint, renderEnvironment } from './support/render.js';
import { listApps, loadAppConfigSpec, readJson, repoPath, workspaceDependencyDirs } from './support/repo.js';

const blueprint = loadBlueprint();
const compute = blueprint.services.filter((s) => s.type !== 'keyvalue' && s.type !== 'redis');
const byName = (name: string) => blueprint.services.find((s) => s.name === name);
const apps = listApps();

describe('render.yaml', () => {
  it('matches the Blueprint schema written from Render’s reference', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(readJson('infra/schemas/render-blueprint.schema.json'));
    const valid = validate(blueprint);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema refuses what Render refuses (it is not a pass-everything schema)', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(readJson('infra/schemas/render-blueprint.schema.json'));
    const broken = structuredClone(blueprint);
    const search = broken.services.find((s) => s.type === 'pserv') as Record<string, unknown>;
    search.healthCheckPath = '/readyz';
    expect(validate(broken)).toBe(false);
    const typo = structuredClone(blueprint);
    (typo.services[0] as Record<string, unknown>).maxmemoryPolicy = 'evict-everything';
    expect(validate(typo)).toBe(false);
    const badRef = structuredClone(blueprint);
    badRef.envVarGroups[0]?.envVars.push({ key: 'X', fromService: { type: 'pserv', name: 'mna-ai' } });
    expect(validate(badRef)).toBe(false);
  });

  it('has the gateway as its only public web service, behind a readiness health check', () => {
    const web = compute.filter((s) => s.type === 'web');
    expect(web.map((s) => s.name)).toEqual(['mna-gateway']);
    expect(appOf(web[0]!)).toBe('gateway');
    expect(web[0]?.healthCheckPath).toBe('/readyz');
  });

  it('runs search, AI and billing as private services, and the queue consumers as workers', () => {
    const pserv = compute.filter((s) => s.type === 'pserv').map(appOf);
    expect(pserv.sort()).toEqual(['ai-service', 'billing-service', 'search-service']);
    const workers = compute.filter((s) => s.type === 'worker');
    expect(workers.map(appOf)).toEqual(expect.arrayContaining(['search-service', 'billing-service']));
    for (const worker of workers) {
      expect(worker.dockerCommand).toMatch(/^node (--\S+ )*dist\/worker\.js$/);
    }
  });

  it('every service is built from an existing Dockerfile of an existing app', () => {
    for (const service of compute) {
      expect(service.runtime).toBe('docker');
      expect(existsSync(repoPath(service.dockerfilePath!)), service.name).toBe(true);
      expect(apps.map((a) => a.name)).toContain(appOf(service));
    }
  });

  it('has managed Postgres and a Key Value instance that never evicts', () => {
    expect(blueprint.databases.map((d) => d.name)).toEqual(['mna-postgres']);
    const kv = blueprint.services.filter((s) => s.type === 'keyvalue');
    expect(kv).toHaveLength(1);
    expect(kv[0]?.maxmemoryPolicy).toBe('noeviction');
  });

  it('resolves every fromService, fromDatabase and fromGroup reference to a resource of that type', () => {
    const groups = new Set(blueprint.envVarGroups.map((g) => g.name));
    const databases = new Set(blueprint.databases.map((d) => d.name));
    let references = 0;
    for (const service of compute) {
      for (const entry of service.envVars ?? []) {
        if (entry.fromGroup)
          expect(groups, `${service.name} → ${entry.fromGroup}`).toContain(entry.fromGroup);
        if (entry.fromDatabase) expect(databases).toContain(entry.fromDatabase.name);
        if (entry.fromService) {
          const target = byName(entry.fromService.name);
          expect(target, `${service.name} → ${entry.fromService.name}`).toBeDefined();
          expect(target?.type).toBe(entry.fromService.type);
          if (entry.fromService.property === 'connectionString') expect(target?.type).toBe('keyvalue');
        }
        references += entry.fromGroup || entry.fromDatabase || entry.fromService ? 1 : 0;
      }
    }
    expect(references).toBeGreaterThan(10);
  });

  it('never commits a secret: keys, secrets and credentials are generated or prompted (sync: false)', () => {
    const secretLike = /(SECRET|_KEY$|PASSWORD|TOKEN|DATABASE_URL|SMTP_URL|ADMIN)/;
    for (const service of compute) {
      for (const [key, entry] of expandEnv(blueprint, service)) {
        if (!secretLike.test(key)) continue;
        expect(entry.value, `${service.name}: ${key} has a literal value`).toBeUndefined();
      }
    }
    const prompted = blueprint.envVarGroups.flatMap((g) => g.envVars).filter((e) => e.sync === false);
    expect(prompted.map((e) => e.key)).toEqual(expect.arrayContaining(['DATABASE_URL', 'STRIPE_SECRET_KEY']));
  });

  it('runs migrations before every deploy of an app that has them, and autoscales the services', () => {
    for (const service of compute) {
      const app = apps.find((a) => a.name === appOf(service));
      if (app?.pkg.scripts?.['db:migrate']) expect(service.preDeployCommand).toBe('node dist/migrate.js');
      if (service.type !== 'worker') {
        expect(service.scaling?.minInstances, service.name).toBeGreaterThanOrEqual(1);
        expect(service.scaling!.maxInstances).toBeGreaterThan(service.scaling!.minInstances);
      }
    }
  });

  it('lets draining finish: Render waits longer than the services’ shutdown grace', () => {
    for (const service of compute) {
      const grace = Number(renderEnvironment(blueprint, service).SHUTDOWN_GRACE_MS);
      expect(service.maxShutdownDelaySeconds! * 1000, service.name).toBeGreaterThan(grace);
    }
  });

  it('drains (readiness 503) longer than Render’s health-check period, with time left in the grace', async () => {
    // Render checks a web service's health path "every few seconds" with a 5 s response timeout.
    const healthCheckPeriodMs = 5_000 + 5_000;
    for (const service of compute.filter((s) => s.type !== 'worker')) {
      const spec = await loadAppConfigSpec(appOf(service)!);
      const config = loadConfig(spec as never, renderEnvironment(blueprint, service)) as Record<
        string,
        number
      >;
      expect(config.SHUTDOWN_DRAIN_MS, service.name).toBeGreaterThanOrEqual(healthCheckPeriodMs);
      // In-flight requests and the closers still get at least 10 s after the drain.
      expect(config.SHUTDOWN_GRACE_MS! - config.SHUTDOWN_DRAIN_MS!, service.name).toBeGreaterThanOrEqual(
        10_000,
      );
    }
  });

  it('buildFilter deploys a service for its own app, its workspace packages and its image, and nothing else', () => {
    for (const service of compute) {
      const app = appOf(service)!;
      const paths = service.buildFilter?.paths ?? [];
      const ignored = service.buildFilter?.ignoredPaths ?? [];
      const deploys = (file: string) => matchesAny(file, paths) && !matchesAny(file, ignored);
      const own = [
        `apps/${app}/src/main.ts`,
        `apps/${app}/package.json`,
        service.dockerfilePath!.replace(/^\.\//, ''),
        'infra/docker/tsup.image.mjs',
        'infra/docker/build-app.mjs',
        'pnpm-lock.yaml',
        ...workspaceDependencyDirs(app).map((dir) => `${dir}/src/index.ts`),
      ];
      for (const file of own) expect(deploys(file), `${service.name} should deploy on ${file}`).toBe(true);
      const others = apps.filter((a) => a.name !== app).map((a) => `apps/${a.name}/src/main.ts`);
      const unrelated = [
        ...others,
        `apps/${app}/test/app.spec.ts`,
        'infra/prometheus/rules.yml',
        'README.md',
      ];
      for (const file of unrelated)
        expect(deploys(file), `${service.name} must not deploy on ${file}`).toBe(false);
    }
  });

  it('gives every service an environment its app accepts in production (NODE_ENV=production)', async () => {
    for (const service of compute) {
      const spec = await loadAppConfigSpec(appOf(service)!);
      const env = renderEnvironment(blueprint, service);
      expect(env.NODE_ENV).toBe('production');
      const config = loadConfig(spec as never, env) as Record<string, unknown>;
      for (const key of Object.keys(env)) {
        expect(
          spec.schema.shape,
          `${service.name} sets ${key}, which ${spec.service} never reads`,
        ).toHaveProperty(key);
      }
      if ('DATABASE_URL' in config) {
        expect(roleOf(String(config.DATABASE_URL))).not.toBe(roleOf(String(config.MIGRATION_DATABASE_URL)));
      }
      for (const key of ['SEARCH_SERVICE_URL', 'AI_SERVICE_URL', 'BILLING_SERVICE_URL']) {
        if (key in env) expect(String(config[key])).toMatch(/^http:\/\/mna-[a-z]+-x7k2:300\d$/);
      }
    }
  });

  it('declares a worker command only for apps that have a worker entry point', () => {
    for (const service of compute.filter((s) => s.dockerCommand?.includes('dist/worker.js'))) {
      const app = apps.find((a) => a.name === appOf(service));
      expect(app?.hasWorker, `${service.name}: apps/${app?.name}/src/worker.ts is missing`).toBe(true);
    }
  });
});
