import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeUpstreams, startGateway, startUpstreams, type Upstreams } from './harness.js';

let upstreams: Upstreams;
beforeAll(async () => {
  upstreams = await startUpstreams();
});
afterAll(async () => closeUpstreams(upstreams));

/** A local port nothing listens on (bound, then released). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('dependency metrics', () => {
  it('reports Redis up on /metrics while it answers', async () => {
    const gw = await startGateway(upstreams);
    try {
      const res = await gw.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/mna_dependency_up\{[^}]*dependency="redis"[^}]*\} 1/);
    } finally {
      await gw.close();
    }
  });

  it('reports Redis down as 0 and /metrics still answers', async () => {
    const down = new Redis({
      port: await closedPort(),
      host: '127.0.0.1',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {}); // the refused connection is the point of this test
    const gw = await startGateway(upstreams, { redis: down });
    try {
      const started = performance.now();
      const res = await gw.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/mna_dependency_up\{[^}]*dependency="redis"[^}]*\} 0/);
      expect(performance.now() - started).toBeLessThan(1_500); // the check's 1 s timeout bounds a scrape
    } finally {
      await gw.close();
    }
  });
});
