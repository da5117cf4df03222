import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '@mna/shared';
import { deleteKeysWithPrefix, TEST_INTERNAL_SECRET, TEST_REDIS_URL, uniquePrefix } from '@mna/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSpec } from '../src/config.js';
import { closeUpstreams, PRODUCTION_BASE_ENV, startUpstreams, type Upstreams } from './harness.js';

const run = promisify(execFile);
const TSX = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');
const DOC = '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';

const dir = mkdtempSync(join(tmpdir(), 'gw-dev-'));
const prefix = uniquePrefix('gw-dev');
let upstreams: Upstreams;
let child: ChildProcess | undefined;

const baseEnv = () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('CLERK_')) env[k] = v;
  return {
    ...env,
    HOST: '127.0.0.1',
    PORT: '0',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    DEV_AUTH_KEY_FILE: join(dir, 'keys.json'),
    SEARCH_SERVICE_URL: upstreams.search.url,
    AI_SERVICE_URL: upstreams.ai.url,
    BILLING_SERVICE_URL: upstreams.billing.url,
    NODE_ENV: 'development',
  };
};

beforeAll(async () => {
  upstreams = await startUpstreams();
});
/**
 * Stops the tsx process and the gateway it runs (its own process group): SIGTERM, then SIGKILL if the
 * group is still there after 10 s, so no gateway outlives the suite.
 */
async function stopDevGateway(): Promise<void> {
  const pid = child?.pid;
  if (!child || pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-pid, 'SIGTERM');
  const deadline = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }, 10_000);
  await exited;
  clearTimeout(deadline);
}

afterAll(async () => {
  await stopDevGateway();
  await closeUpstreams(upstreams);
  await deleteKeysWithPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the real entry point and waits for its address and the printed token. */
function startDevGateway(): Promise<{ url: string; token: string }> {
  return new Promise((resolve, reject) => {
    child = spawn(TSX, [MAIN], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let url = '';
    const timer = setTimeout(() => reject(new Error(`no token printed:\n${out}`)), 80_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      url ||= /"address":"(http:\/\/[^"]+)"/.exec(out)?.[1] ?? '';
      const token = /DEV_TOKEN=(\S+)/.exec(out)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ url, token });
      }
    });
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}:\n${out}`)));
  });
}

describe('production without Clerk', () => {
  it('is refused by the configuration', () => {
    const env = PRODUCTION_BASE_ENV;
    expect(() => loadConfig(configSpec, env)).toThrow(ConfigError);
    expect(() => loadConfig(configSpec, env)).toThrow(/CLERK_JWT_KEY/);
  });

  it('makes the process exit non-zero before listening', { timeout: 90_000 }, async () => {
    const error = await run(TSX, [MAIN], { env: { ...baseEnv(), NODE_ENV: 'production' } }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/CLERK_JWT_KEY/);
    expect(error.stdout).not.toMatch(/listening/);
  });
});

describe('development auth', () => {
  it('prints a working token at start, and `pnpm run token` mints more with the chosen org, role and plan', async () => {
    const { url, token } = await startDevGateway();
    const res = await fetch(url + DOC, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(upstreams.search.seen.at(-1)?.principal).toMatchObject({
      tenantId: 'org_demo',
      orgRole: 'org:admin',
      plan: 'growth',
    });
    // The documented command, from the repository root.
    const { stdout } = await run(
      'pnpm',
      ['run', 'token', '--org', 'org_x', '--role', 'member', '--plan', 'enterprise'],
      {
        env: baseEnv(),
        cwd: join(import.meta.dirname, '..', '..', '..'),
      },
    );
    const minted = stdout.trim().split('\n').at(-1)!;
    const again = await fetch(url + DOC, { headers: { authorization: `Bearer ${minted}` } });
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit-limit')).toBe('3000');
    expect(upstreams.search.seen.at(-1)?.principal).toMatchObject({
      tenantId: 'org_x',
      orgRole: 'org:member',
      plan: 'enterprise',
    });
    const unauthenticated = await fetch(url + DOC);
    expect(unauthenticated.status).toBe(401);
  }, 120_000); // spawns two tsx processes; slow when the shared machine is loaded
});
