import { ConfigError, loadConfig } from '@mna/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSpec } from '../src/config.js';
import {
  bearer,
  closeUpstreams,
  type Gateway,
  PRODUCTION_BASE_ENV,
  sessionToken,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';

const DOCUMENT = { externalId: 'x-1', kind: 'note', title: 'T', content: 'hello' };
const DEV_ORIGIN = 'http://localhost:5173';
let upstreams: Upstreams;
let gw: Gateway;
let token: string;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_h: 'enterprise' });
  gw = await startGateway(upstreams);
  token = await sessionToken(gw.keys, 'org_h');
});
afterAll(async () => {
  await gw.close();
  await closeUpstreams(upstreams);
});

describe('405 and Allow', () => {
  it('answers 405 problem+json with Allow for a known path and a wrong method, before auth and body', async () => {
    const put = await gw.app.inject({
      method: 'PUT',
      url: '/v1/search',
      headers: { 'content-type': 'text/plain' },
      payload: 'not json',
    });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('POST');
    expect(put.headers['content-type']).toMatch(/application\/problem\+json/);
    const patch = await gw.app.inject({
      method: 'PATCH',
      url: '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10',
    });
    expect(patch.statusCode).toBe(405);
    expect(patch.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
    const unknown = await gw.app.inject({ method: 'PUT', url: '/v1/nowhere' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('Location', () => {
  it('points a 202 at the resource to poll: the document, or the AI job', async () => {
    const doc = await gw.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: bearer(token),
      payload: DOCUMENT,
    });
    expect(doc.statusCode).toBe(202);
    expect(doc.headers.location).toBe(`/v1/documents/${doc.json().id}`);
    const job = await gw.app.inject({
      method: 'POST',
      url: '/v1/ai/deals/analyze?async=true',
      headers: bearer(token),
      payload: { target: 'Acme', sector: 'Software' },
    });
    expect(job.statusCode).toBe(202);
    expect(job.headers.location).toBe(`/v1/ai/jobs/${job.json().jobId}`);
    const ok = await gw.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: bearer(token),
      payload: { query: 'a' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.location).toBeUndefined();
  });

  it('keeps the Location in an idempotent replay', async () => {
    const send = () =>
      gw.app.inject({
        method: 'POST',
        url: '/v1/documents',
        headers: { ...bearer(token), 'idempotency-key': 'loc-1' },
        payload: DOCUMENT,
      });
    const first = await send();
    const again = await send();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
  });
});

describe('request ids and trace context', () => {
  it('echoes x-request-id and a valid traceparent, and forwards both upstream', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await gw.app.inject({
      method: 'GET',
      url: '/v1/documents/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10',
      headers: { ...bearer(token), 'x-request-id': 'req-conventions-1', traceparent },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-conventions-1');
    expect(res.headers.traceparent).toBe(traceparent);
    const seen = upstreams.search.seen.at(-1)!;
    expect(seen.headers['x-request-id']).toBe('req-conventions-1');
    expect(seen.headers.traceparent).toBe(traceparent);
    const bad = await gw.app.inject({ method: 'GET', url: '/healthz', headers: { traceparent: 'nonsense' } });
    expect(bad.headers.traceparent).toBeUndefined();
  });

  it('names the request in a problem’s instance as urn:request:<id>', async () => {
    const res = await gw.app.inject({
      method: 'GET',
      url: '/v1/billing/subscription',
      headers: { 'x-request-id': 'req-urn-0001' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().instance).toBe('urn:request:req-urn-0001');
  });
});

describe('CORS', () => {
  it('lets the local frontend preflight a PATCH with an Idempotency-Key outside production', async () => {
    for (const origin of [DEV_ORIGIN, 'http://127.0.0.1:3000']) {
      const res = await gw.app.inject({
        method: 'OPTIONS',
        url: '/v1/webhooks/endpoints/8f0e2a52-3b9b-4a43-9d5d-6f1c2a7e9b10',
        headers: {
          origin,
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type, idempotency-key',
        },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(String(res.headers['access-control-allow-methods'])).toMatch(/PATCH/);
      expect(String(res.headers['access-control-allow-headers'])).toMatch(/idempotency-key/);
    }
  });

  it('in production allows only CORS_ORIGINS, and refuses to start without them', async () => {
    const env = {
      ...PRODUCTION_BASE_ENV,
      CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsubW5hLmxvY2FsaG9zdCQ',
      CLERK_JWT_KEY: 'x',
    };
    expect(() => loadConfig(configSpec, env)).toThrow(ConfigError);
    expect(() => loadConfig(configSpec, env)).toThrow(/CORS_ORIGINS/);
    const prod = await startGateway(upstreams, {
      keys: gw.keys,
      env: { NODE_ENV: 'production', CLERK_PUBLISHABLE_KEY: env.CLERK_PUBLISHABLE_KEY },
    });
    try {
      const res = await prod.app.inject({
        method: 'OPTIONS',
        url: '/v1/search',
        headers: { origin: DEV_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await prod.close();
    }
  });
});
