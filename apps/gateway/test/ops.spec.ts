import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  closeUpstreams,
  sessionToken,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';

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
      const res = await gw.scrape();
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
      const res = await gw.scrape();
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/mna_dependency_up\{[^}]*dependency="redis"[^}]*\} 0/);
      expect(performance.now() - started).toBeLessThan(1_500); // the check's 1 s timeout bounds a scrape
    } finally {
      await gw.close();
    }
  });
});

describe('readiness reflects the gateway itself', () => {
  it('stays ready while one upstream is down: its routes answer 503 and /metrics reports it', async () => {
    const gw = await startGateway(upstreams, {
      env: { AI_SERVICE_URL: `http://127.0.0.1:${await closedPort()}`, CIRCUIT_FAILURE_THRESHOLD: '2' },
    });
    try {
      const ready = await gw.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(Object.keys(ready.json().checks)).toEqual(['redis']);
      const token = await sessionToken(gw.keys, 'org_ops');
      const influence = '/v1/ai/companies/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10/influence';
      const ai = await gw.app.inject({ method: 'GET', url: influence, headers: bearer(token) });
      expect(ai.statusCode).toBe(503);
      expect(ai.headers['content-type']).toMatch(/application\/problem\+json/);
      const doc = '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10';
      expect((await gw.app.inject({ method: 'GET', url: doc, headers: bearer(token) })).statusCode).toBe(200);
      const { body } = await gw.scrape();
      expect(body).toMatch(/mna_dependency_up\{[^}]*dependency="ai"[^}]*\} 0/);
      expect(body).toMatch(/mna_dependency_up\{[^}]*dependency="search"[^}]*\} 1/);
      expect(body).toMatch(/mna_dependency_up\{[^}]*dependency="billing"[^}]*\} 1/);
    } finally {
      await gw.close();
    }
  });

  it('answers 503 on /readyz while draining', async () => {
    const gw = await startGateway(upstreams);
    try {
      expect((await gw.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      gw.app.draining = true;
      const res = await gw.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.shutdown).toMatchObject({ ok: false, error: 'draining' });
    } finally {
      await gw.close();
    }
  });

  it('serves /metrics only on the private metrics listener, never on the public port', async () => {
    const gw = await startGateway(upstreams);
    try {
      const publicPort = await gw.app.inject({ method: 'GET', url: '/metrics' });
      expect(publicPort.statusCode).toBe(404);
      expect(publicPort.body).not.toMatch(/process_cpu|http_request_duration/);
      const scraped = await gw.scrape();
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toMatch(/mna_dependency_up/);
      expect((await fetch(gw.metricsUrl.replace('/metrics', '/v1/search'))).status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});
