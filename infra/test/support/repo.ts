import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root (infra/test/support → ../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const repoPath = (...parts: string[]) => join(ROOT, ...parts);

/** Parses a YAML file of the repository, resolving anchors and `<<` merge keys as Docker and Render do. */
export function readYaml<T = unknown>(relativePath: string): T {
  return parse(readFileSync(repoPath(relativePath), 'utf8'), { merge: true, maxAliasCount: -1 }) as T;
}

export const readJson = <T = unknown>(relativePath: string): T =>
  JSON.parse(readFileSync(repoPath(relativePath), 'utf8')) as T;

type PackageJson = {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
};

/** The apps of the workspace: directory name, package.json, and which entry points exist. */
export function listApps() {
  return readdirSync(repoPath('apps'))
    .filter((name) => existsSync(repoPath('apps', name, 'package.json')))
    .map((name) => ({
      name,
      pkg: readJson<PackageJson>(`apps/${name}/package.json`),
      hasWorker: existsSync(repoPath('apps', name, 'src/worker.ts')),
      hasMigrate: existsSync(repoPath('apps', name, 'src/db/migrate.ts')),
    }));
}

/** Workspace packages an app depends on at run time (workspace:* dependencies), as repository paths. */
export function workspaceDependencyDirs(appName: string): string[] {
  const pkg = readJson<PackageJson>(`apps/${appName}/package.json`);
  const names = Object.entries(pkg.dependencies ?? {})
    .filter(([, version]) => version.startsWith('workspace:'))
    .map(([name]) => name);
  return readdirSync(repoPath('packages'))
    .filter((dir) => existsSync(repoPath('packages', dir, 'package.json')))
    .filter((dir) => names.includes(readJson<PackageJson>(`packages/${dir}/package.json`).name))
    .map((dir) => `packages/${dir}`);
}

export type AppConfigSpec = {
  service: string;
  schema: { shape: Record<string, unknown> };
  productionRequires?: readonly string[];
};

/** An app's configSpec, loaded from its source (apps/<app>/src/config.ts) the way its main.ts does. */
export async function loadAppConfigSpec(appName: string): Promise<AppConfigSpec> {
  const mod = (await import(repoPath('apps', appName, 'src/config.ts'))) as { configSpec: AppConfigSpec };
  return mod.configSpec;
}

/** Every variable name an app's configuration reads. */
export const configKeys = (spec: AppConfigSpec) => Object.keys(spec.schema.shape);
