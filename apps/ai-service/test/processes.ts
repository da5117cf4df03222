import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A free local port (never the fixed 3000–3003 others use). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export type ServiceProcess = { url: string; child: ChildProcess; stop: () => Promise<void> };

/**
 * Starts a service of the repo as its own process (`node --import tsx src/main.ts` in its folder),
 * waits for /healthz, and stops it with SIGTERM. Services are run, never imported.
 */
export async function startServiceProcess(app: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const cwd = join(REPO_ROOT, 'apps', app);
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null)
      throw new Error(`${app} exited (${child.exitCode}):\n${output.slice(-2000)}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    if (i > 300) throw new Error(`${app} did not become healthy:\n${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** A development session token from the gateway's own `token` command (run, not imported). */
export async function devToken(keyFile: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], {
    cwd: join(REPO_ROOT, 'apps', 'gateway'),
    env: { ...process.env, NODE_ENV: 'development', DEV_AUTH_KEY_FILE: keyFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`token command failed (${code})`);
  return out.trim();
}
