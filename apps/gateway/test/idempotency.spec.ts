import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  closeUpstreams,
  type Gateway,
  sessionToken,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';

const ANALYZE = '/v1/ai/deals/analyze?async=true';
let upstreams: Upstreams;
let gw: Gateway;
let token: string;
let otherTenant: string;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_i: 'enterprise', org_j: 'enterprise' });
  gw = await startGateway(upstreams);
  token = await sessionToken(gw.keys, 'org_i');
  otherTenant = await sessionToken(gw.keys, 'org_j');
});
afterAll(async () => {
  await gw.close();
  await closeUpstreams(upstreams);
});

const analyses = () => upstreams.ai.seen.filter((s) => s.route === '/v1/ai/deals/analyze').length;
const analyze = (key: string | undefined, target: string, auth = token) =>
  gw.app.inject({
    method: 'POST',
    url: ANALYZE,
    headers: { ...bearer(auth), ...(key ? { 'idempotency-key': key } : {}) },
    payload: { target, sector: 'Software' },
  });

describe('Idempotency-Key', () => {
  it('replays the first answer byte for byte, and the upstream runs once', async () => {
    const before = analyses();
    const first = await analyze('key-replay-1', 'Acme');
    expect(first.statusCode).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await analyze('key-replay-1', 'Acme');
    expect(second.statusCode).toBe(202);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(analyses()).toBe(before + 1);
    // Without a key, or with another key, two calls are two jobs.
    const a = await analyze(undefined, 'Acme');
    const b = await analyze(undefined, 'Acme');
    expect(a.json().jobId).not.toBe(b.json().jobId);
    expect(analyses()).toBe(before + 3);
  });

  it('keeps keys per tenant: the same key of another tenant is a new request', async () => {
    const mine = await analyze('key-shared', 'Acme');
    const theirs = await analyze('key-shared', 'Acme', otherTenant);
    expect(theirs.statusCode).toBe(202);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().jobId).not.toBe(mine.json().jobId);
  });

  it('answers 422 problem+json when the key comes back with another body', async () => {
    expect((await analyze('key-mismatch', 'Acme')).statusCode).toBe(202);
    const before = analyses();
    const res = await analyze('key-mismatch', 'Globex');
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().type).toMatch(/idempotency-key-reused$/);
    expect(analyses()).toBe(before);
  });

  it('answers 409 while the first call with the key is still in flight, then replays it', async () => {
    upstreams.ai.delayMs = 800;
    upstreams.ai.delayRoute = '/v1/ai/deals/analyze';
    try {
      const before = analyses();
      const first = analyze('key-inflight', 'Acme');
      while (analyses() === before) await new Promise((r) => setTimeout(r, 10));
      const concurrent = await analyze('key-inflight', 'Acme');
      expect(concurrent.statusCode).toBe(409);
      expect(concurrent.headers['retry-after']).toBe('1');
      expect(concurrent.headers['content-type']).toMatch(/application\/problem\+json/);
      const done = await first;
      expect(done.statusCode).toBe(202);
      upstreams.ai.delayMs = 0;
      const replay = await analyze('key-inflight', 'Acme');
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json().jobId).toBe(done.json().jobId);
      expect(analyses()).toBe(before + 1);
    } finally {
      upstreams.ai.delayMs = 0;
      upstreams.ai.delayRoute = undefined;
    }
  });

  it('replays an error the service gave (the work was refused once, it stays refused)', async () => {
    const first = await analyze('key-refused', 'fail');
    expect(first.statusCode).toBe(422);
    const again = await analyze('key-refused', 'fail');
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
  });

  it('leaves POSTs that only read alone: a search with a key runs again', async () => {
    const search = () =>
      gw.app.inject({
        method: 'POST',
        url: '/v1/search',
        headers: { ...bearer(token), 'idempotency-key': 'key-search' },
        payload: { query: 'acme' },
      });
    const before = upstreams.search.seen.filter((s) => s.route === '/v1/search').length;
    expect((await search()).statusCode).toBe(200);
    const again = await search();
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(upstreams.search.seen.filter((s) => s.route === '/v1/search').length).toBe(before + 2);
  });

  it('refuses a malformed key with 400', async () => {
    const res = await analyze('x'.repeat(300), 'Acme');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
