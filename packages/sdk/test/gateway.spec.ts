import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  createClient,
  ForbiddenError,
  NotConfiguredError,
  NotFoundError,
  ProblemError,
  RateLimitedError,
  type RetryInfo,
  UnauthorizedError,
} from '../src/index.js';
import { rejection } from './rejection.js';
import { type Platform, startPlatform } from './stack.js';

// The SDK against the real gateway, search and billing services (see stack.ts). Public routes get a
// budget of 2 per second per client address, so a third call of the plan catalog answers 429.
describe('the SDK through the real gateway', () => {
  let platform: Platform;
  const TERM = `zyxquorp${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    platform = await startPlatform({
      gatewayEnv: { RATE_LIMIT_WINDOW_MS: '1000', RATE_LIMIT_PUBLIC_PER_WINDOW: '2' },
    });
  });
  afterAll(() => platform?.close());

  const clientFor = async (org: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
    createClient({ baseUrl: platform.gatewayUrl, token: await platform.token(org), ...extra });

  async function waitIndexed(client: Awaited<ReturnType<typeof clientFor>>, ids: string[]) {
    const deadline = Date.now() + 30_000;
    for (const id of ids) {
      for (;;) {
        const doc = await client.search.getDocument({ params: { id } });
        if (doc.status === 'indexed') break;
        expect(doc.status).toBe('queued');
        if (Date.now() > deadline) throw new Error(`document ${id} not indexed in time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  it('ingests documents, then iterates every page of a search', async () => {
    const mna = await clientFor('org_sdk_a');
    const docs = Array.from({ length: 7 }, (_, i) => ({
      externalId: `memo-${i}`,
      kind: 'deal_memo' as const,
      title: `Deal memo ${i}`,
      content: `Acquisition of target ${i}; code word ${TERM}; recurring revenue ${i * 10} million.`,
      metadata: { industry: 'software', tags: ['sdk'] },
    }));
    const one = await mna.search.ingestDocument({ body: docs[0]! });
    expect(one.status).toBe('queued');
    const bulk = await mna.search.ingestBulk({ body: { documents: docs.slice(1) } });
    expect(bulk.ids).toHaveLength(6);
    const ids = [one.id, ...bulk.ids];
    await waitIndexed(mna, ids);

    const pages = [];
    for await (const page of mna.search.search.pages({ body: { query: TERM, mode: 'keyword', limit: 3 } })) {
      pages.push(page);
    }
    expect(pages.map((p) => p.results.length)).toEqual([3, 3, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const found = pages.flatMap((p) => p.results.map((r) => r.documentId));
    expect(new Set(found).size).toBe(7);
    expect([...found].sort()).toEqual([...ids].sort());

    // Another tenant sees none of it: a search with no results, and the document is a typed 404.
    const other = await clientFor('org_sdk_b');
    expect((await other.search.search({ body: { query: TERM, mode: 'keyword' } })).results).toEqual([]);
    await expect(other.search.getDocument({ params: { id: one.id } })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('registers webhook endpoints, shows the secret once, and pages through them', async () => {
    const mna = await clientFor('org_sdk_hooks');
    const created = [];
    for (const i of [1, 2, 3]) {
      created.push(
        await mna.webhooks.createEndpoint({
          body: {
            url: `https://hooks.partner.example/mna/${i}`,
            events: ['document.indexed', 'invoice.paid'],
          },
        }),
      );
    }
    expect(created[0]!.secret).toMatch(/^whsec_/);
    const listed = [];
    for await (const page of mna.webhooks.listEndpoints.pages({ query: { limit: 2 } })) {
      expect(page.endpoints.length).toBeLessThanOrEqual(2);
      listed.push(...page.endpoints);
    }
    expect(listed.map((e) => e.id).sort()).toEqual(created.map((e) => e.id).sort());
    expect(listed.some((e) => 'secret' in e)).toBe(false);
    const detail = await mna.webhooks.getEndpoint({ params: { id: created[0]!.id } });
    expect(detail.health).toMatchObject({ consecutiveFailures: 0, successRate1h: null });
    const stranger = await clientFor('org_sdk_b');
    await expect(stranger.webhooks.getEndpoint({ params: { id: created[0]!.id } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('turns a 404 into a NotFoundError carrying the problem details', async () => {
    const mna = await clientFor('org_sdk_a');
    const error = await rejection<NotFoundError>(mna.search.getDocument({ params: { id: randomUUID() } }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error.status).toBe(404);
    expect(error.type).toMatch(/not-found$/);
    expect(error.title).toBe('Not found');
    expect(error.requestId).toBeTruthy();
  });

  it('turns a refused role into a ForbiddenError naming the role needed, before the body is checked', async () => {
    const member = createClient({
      baseUrl: platform.gatewayUrl,
      token: await platform.token('org_sdk_a', 'member'),
    });
    const refused = await rejection<ForbiddenError>(
      member.webhooks.createEndpoint({ body: { url: 'not a url', events: [] } as never }),
    );
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect(refused.status).toBe(403);
    expect(refused.extensions).toEqual({ requiredRole: 'admin' });
  });

  it('turns validation failures and a missing token into typed errors', async () => {
    const mna = await clientFor('org_sdk_a');
    const invalid = await rejection<BadRequestError>(
      mna.search.search({ body: { query: 'x', limit: 1000 } }),
    );
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect(invalid.status).toBe(400);
    expect(invalid.errors.map((e) => e.path)).toContain('body.limit');
    const anonymous = createClient({ baseUrl: platform.gatewayUrl });
    await expect(anonymous.search.search({ body: { query: 'x' } })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('reads the plan catalog, and retries a 429 after its Retry-After', async () => {
    const impatient = createClient({ baseUrl: platform.gatewayUrl, retry: { maxRetries: 0 } });
    const answers = await Promise.allSettled([1, 2, 3].map(() => impatient.billing.plans()));
    const refused = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason as RateLimitedError] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(RateLimitedError);
    expect(refused[0]!.status).toBe(429);
    expect(refused[0]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    const retries: RetryInfo[] = [];
    const patient = createClient({ baseUrl: platform.gatewayUrl, onRetry: (info) => retries.push(info) });
    const started = Date.now();
    const catalogs = await Promise.all(
      [1, 2, 3].map(() => patient.billing.plans({ query: { currency: 'eur' } })),
    );
    for (const { plans } of catalogs) {
      expect(plans.map((p) => p.id)).toEqual(['solo', 'growth', 'enterprise']);
      expect(plans.flatMap((p) => p.prices.map((price) => price.currency))).toSatisfy(
        (c: string[]) => c.length > 0 && c.every((currency) => currency === 'eur'),
      );
    }
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toMatchObject({ status: 429, method: 'GET', path: '/v1/billing/plans', retry: 1 });
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('does not retry billing without Stripe: 501 not-configured, thrown at once', async () => {
    const retries: RetryInfo[] = [];
    const client = await clientFor(`org_nc_${randomUUID().slice(0, 8)}`, {
      onRetry: (info) => retries.push(info),
    });
    const error = await rejection(client.billing.portal({ body: { returnUrl: 'https://app.test/back' } }));
    expect(error).toBeInstanceOf(NotConfiguredError);
    expect((error as NotConfiguredError).status).toBe(501);
    expect((error as NotConfiguredError).type).toMatch(/\/not-configured$/);
    expect(retries).toEqual([]);
  });
});
