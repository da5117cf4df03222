import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '@mna/shared';
import { Ajv } from 'ajv';
import { DCLinter } from 'dclint';
import { describe, expect, it } from 'vitest';
import { envOf, parseDockerfile } from './support/dockerfile.js';
import { parse as parseEnv } from './support/dotenv.js';
import { listApps, loadAppConfigSpec, readJson, readYaml, repoPath } from './support/repo.js';

type Dependency = { condition: string };
type ComposeService = {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  depends_on?: Record<string, Dependency> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  stop_grace_period?: string;
  volumes?: string[];
  profiles?: string[];
};
const compose = readYaml<{ services: Record<string, ComposeService>; volumes?: Record<string, unknown> }>(
  'docker-compose.yml',
);
const services = Object.entries(compose.services);
const apps = listApps();
const appOf = (service: ComposeService) =>
  service.build?.dockerfile.match(/infra\/docker\/([a-z-]+)\.Dockerfile$/)?.[1];
const dependencies = (service: ComposeService): Record<string, Dependency> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, { condition: 'service_started' }]))
    : (service.depends_on ?? {});
const dotenvExample = parseEnv(readFileSync(repoPath('.env.example'), 'utf8'));
/** Compose's ${VAR:-default} interpolation, with .env.example as the .env file. */
const interpolate = (value: string) =>
  value.replace(
    /\$\{([A-Z_]+)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => dotenvExample[name] ?? fallback ?? '',
  );

describe('docker-compose.yml', () => {
  it('matches the Compose Specification schema (the one dclint ships)', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const { $schema: _draft, ...schema } = readJson<Record<string, unknown>>(
      'infra/node_modules/dclint/schemas/compose.schema.json',
    );
    const validate = ajv.compile(schema);
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    // and it is a real schema: a misspelt key or a wrong type is refused
    expect(validate({ services: { api: { image: 'x', prots: ['80:80'] } } })).toBe(false);
    expect(validate({ services: { api: { image: 'x', depends_on: 5 } } })).toBe(false);
  });

  it('passes dclint with no errors', () => {
    const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] });
    // dclint's declaration files use extensionless imports, so NodeNext sees its results as `any`.
    const [result] = linter.lintFiles([repoPath('docker-compose.yml')], false) as Array<{
      filePath: string;
      messages: Array<{ type: string; line: number; message: string }>;
    }>;
    const errors = result?.messages.filter((m) => m.type === 'error') ?? [];
    expect(errors.map((m) => `${m.line}: ${m.message}`)).toEqual([]);
    expect(result?.filePath).toContain('docker-compose.yml');
  });

  it('runs Postgres with pgvector and Redis that never evicts, both health-checked', () => {
    expect(compose.services.postgres?.image).toMatch(/^pgvector\/pgvector:pg\d+$/);
    expect(compose.services.redis?.command?.join(' ')).toContain('--maxmemory-policy noeviction');
    for (const name of ['postgres', 'redis']) expect(compose.services[name]?.healthcheck?.test).toBeDefined();
    const init = compose.services.postgres?.volumes?.find((v) => v.includes('docker-entrypoint-initdb.d'));
    expect(existsSync(repoPath(init!.split(':')[0]!))).toBe(true);
  });

  it('runs the four services and a worker for every app that has one, from the infra Dockerfiles', () => {
    const running = services.filter(([, s]) => s.build && !s.command?.includes('dist/migrate.js'));
    const servers = running.filter(([, s]) => !s.command).map(([, s]) => appOf(s));
    expect(servers.sort()).toEqual(apps.map((a) => a.name).sort());
    const workers = running.filter(([, s]) => s.command?.includes('dist/worker.js')).map(([, s]) => appOf(s));
    expect(workers.sort()).toEqual(['ai-service', 'billing-service', 'search-service']);
    for (const [, service] of services.filter(([, s]) => s.build)) {
      expect(service.build?.context).toBe('.');
      expect(existsSync(repoPath(service.build!.dockerfile))).toBe(true);
    }
  });

  it('every dependency exists, health-checked ones have a health check, completed ones are one-shot', () => {
    for (const [name, service] of services) {
      for (const [target, { condition }] of Object.entries(dependencies(service))) {
        const dependency = compose.services[target];
        expect(dependency, `${name} depends on missing ${target}`).toBeDefined();
        if (condition === 'service_healthy') {
          const ownCheck = dependency?.healthcheck?.test && !dependency.healthcheck.disable;
          const imageCheck =
            dependency?.build && /\nHEALTHCHECK /.test(parseDockerfile(dependency.build.dockerfile).text);
          expect(ownCheck || imageCheck, `${target} has no health check`).toBeTruthy();
        }
        if (condition === 'service_completed_successfully') expect(dependency?.restart).toBe('no');
      }
    }
    const gateway = dependencies(compose.services.gateway!);
    for (const upstream of ['search-service', 'ai-service', 'billing-service']) {
      expect(gateway[upstream]?.condition).toBe('service_healthy');
    }
  });

  it('publishes each service on its own port, on the port its image listens on, without clashes', () => {
    const published = new Set<string>();
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) {
        const [host, container] = port.split(':').slice(-2);
        expect(published.has(host!), `${name} publishes ${host} twice`).toBe(false);
        published.add(host!);
        if (service.build) {
          expect(service.environment?.PORT).toBe(container);
          expect(envOf(parseDockerfile(service.build.dockerfile).stages.at(-1)!.instructions).PORT).toBe(
            container,
          );
        }
      }
    }
    expect([...published].filter((p) => /^300\d$/.test(p)).sort()).toEqual(['3000', '3001', '3002', '3003']);
  });

  it('points the services at each other by their compose names and ports', () => {
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        const match = key.match(/^(SEARCH|AI|BILLING)_SERVICE_URL$/);
        if (!match) continue;
        const target = `${match[1]!.toLowerCase()}-service`;
        const url = new URL(value);
        expect(url.hostname, `${name}.${key}`).toBe(target);
        expect(compose.services[target]?.environment?.PORT).toBe(url.port);
      }
    }
  });

  it('reads one .env file for every service, and .env.example covers what the apps read', async () => {
    const appServices = services.filter(([, s]) => s.build);
    for (const [, service] of appServices) expect(service.env_file?.map((f) => f.path)).toEqual(['.env']);
    const known = new Set<string>(['POSTGRES_PASSWORD']);
    for (const app of apps)
      for (const key of Object.keys((await loadAppConfigSpec(app.name)).schema.shape)) known.add(key);
    for (const key of Object.keys(dotenvExample))
      expect(known, `.env.example sets unknown ${key}`).toContain(key);
  });

  it('gives every app service an environment its app accepts (.env.example plus compose’s addresses)', async () => {
    for (const [name, service] of services.filter(([, s]) => s.build)) {
      const spec = await loadAppConfigSpec(appOf(service)!);
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );
      for (const key of Object.keys(environment)) {
        expect(spec.schema.shape, `${name} sets ${key}, which ${spec.service} never reads`).toHaveProperty(
          key,
        );
      }
      expect(() => loadConfig(spec as never, { ...dotenvExample, ...environment }), name).not.toThrow();
    }
  });

  it('stops each service within Docker’s grace: drain, then close, before the SIGKILL', async () => {
    for (const [name, service] of services.filter(([, s]) => s.build && s.healthcheck?.disable !== true)) {
      const spec = await loadAppConfigSpec(appOf(service)!);
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );
      const config = loadConfig(spec as never, { ...dotenvExample, ...environment }) as Record<
        string,
        number
      >;
      const stopGraceMs = Number(service.stop_grace_period?.match(/^(\d+)s$/)?.[1] ?? 10) * 1000;
      expect(config.SHUTDOWN_DRAIN_MS, name).toBeGreaterThan(0);
      expect(config.SHUTDOWN_DRAIN_MS!, name).toBeLessThan(config.SHUTDOWN_GRACE_MS!);
      expect(config.SHUTDOWN_GRACE_MS!, name).toBeLessThan(stopGraceMs);
    }
  });
});
