import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_INTERNAL_SECRET, TEST_REDIS_URL, type TestDatabase } from '../src/index.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

type Line = Record<string, unknown>;

function startServer() {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fixtures/kit-server.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        DATABASE_URL: database.appUrl,
        REDIS_URL: TEST_REDIS_URL,
        SECRET: TEST_INTERNAL_SECRET,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: Line[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Line;
        lines.push(line);
        if (line.msg === 'listening') resolve(line.address as string);
      } catch {
        // not a log line
      }
    });
    child.on('exit', () => reject(new Error('server exited before listening')));
  });
  return { child, lines, exited, listening };
}

describe('graceful shutdown', () => {
  it('lets an in-flight request finish on SIGTERM, reports not ready while draining, closes in order and exits 0', async () => {
    const server = startServer();
    const address = await server.listening;
    const inFlight = fetch(`${address}/slow?ms=1500`);
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const late = await fetch(`${address}/readyz`).then(
      (r) => r.status,
      () => 'refused',
    );
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    const code = await server.exited;
    expect(code).toBe(0);
    // While draining, readiness answers 503 so a load balancer stops routing here.
    expect(late).toBe(503);
    const closed = server.lines.filter((l) => l.msg === 'closed').map((l) => l.dependency);
    expect(closed).toEqual(['redis', 'postgres']);
    expect(server.lines.some((l) => l.msg === 'shutdown complete')).toBe(true);
  });
});
