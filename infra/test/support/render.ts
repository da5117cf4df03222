import { randomBytes } from 'node:crypto';
import { readYaml } from './repo.js';

export type EnvVar = {
  key?: string;
  value?: string | number | boolean;
  generateValue?: true;
  sync?: false;
  fromGroup?: string;
  fromDatabase?: { name: string; property: string };
  fromService?: { type: string; name: string; property?: string; envVarKey?: string };
};
export type RenderService = {
  type: string;
  name: string;
  runtime?: string;
  dockerfilePath?: string;
  dockerCommand?: string;
  preDeployCommand?: string;
  healthCheckPath?: string;
  maxShutdownDelaySeconds?: number;
  maxmemoryPolicy?: string;
  scaling?: { minInstances: number; maxInstances: number };
  buildFilter?: { paths?: string[]; ignoredPaths?: string[] };
  envVars?: EnvVar[];
};
export type Blueprint = {
  services: RenderService[];
  databases: Array<{ name: string; postgresMajorVersion?: string }>;
  envVarGroups: Array<{ name: string; envVars: EnvVar[] }>;
};

export const loadBlueprint = () => readYaml<Blueprint>('render.yaml');

/** The app a service runs, from its Dockerfile (infra/docker/<app>.Dockerfile). */
export function appOf(service: RenderService): string | undefined {
  return service.dockerfilePath?.match(/infra\/docker\/([a-z-]+)\.Dockerfile$/)?.[1];
}

/** A service's variables with its groups expanded, each with the entry that defines it. */
export function expandEnv(blueprint: Blueprint, service: RenderService): Map<string, EnvVar> {
  const env = new Map<string, EnvVar>();
  for (const entry of service.envVars ?? []) {
    if (entry.fromGroup) {
      const group = blueprint.envVarGroups.find((g) => g.name === entry.fromGroup);
      for (const member of group?.envVars ?? []) env.set(member.key as string, member);
    } else if (entry.key) {
      env.set(entry.key, entry);
    }
  }
  return env;
}

/**
 * What Render would put in the environment, with stand-ins of the right shape for what only Render
 * knows (generated secrets, prompted secrets, database and private-network addresses).
 */
export function renderEnvironment(blueprint: Blueprint, service: RenderService): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, entry] of expandEnv(blueprint, service)) {
    if (entry.value !== undefined) result[key] = String(entry.value);
    else if (entry.generateValue) result[key] = randomBytes(32).toString('base64url');
    else if (entry.fromDatabase)
      result[key] = `postgres://mna_owner:pw@${entry.fromDatabase.name}-a:5432/mna`;
    else if (entry.fromService?.type === 'keyvalue') result[key] = `redis://${entry.fromService.name}:6379`;
    else if (entry.fromService?.property === 'hostport') {
      const target = blueprint.services.find((s) => s.name === entry.fromService?.name);
      const port = target ? expandEnv(blueprint, target).get('PORT')?.value : undefined;
      result[key] = `${entry.fromService.name}-x7k2:${port ?? 10000}`;
    } else if (entry.sync === false) result[key] = promptedSecret(key);
  }
  return result;
}

function promptedSecret(key: string): string {
  if (key === 'DATABASE_URL') return 'postgres://mna_app:pw@mna-postgres-a:5432/mna';
  if (key === 'SMTP_URL') return 'smtps://user:pw@smtp.example.com:465';
  if (key.endsWith('_URL')) return 'https://placeholder.example.com';
  if (key.endsWith('ORIGINS') || key.endsWith('PARTIES')) return 'https://app.example.com';
  return `placeholder-${key.toLowerCase()}-${randomBytes(16).toString('hex')}`;
}
