import { describe, expectTypeOf, it } from 'vitest';
import { type ApiClient, createClient, type NotFoundError, type ProblemError } from '../src/index.js';

// Compile-time facts (checked by `pnpm typecheck`, which includes the tests) about the generated client.
describe('the client types', () => {
  const client: ApiClient = createClient({ baseUrl: 'http://127.0.0.1:9' });

  it('types requests and responses from the contracts', () => {
    expectTypeOf(client.search.search).parameter(0).toHaveProperty('body');
    expectTypeOf<Awaited<ReturnType<typeof client.search.search>>['nextCursor']>().toEqualTypeOf<
      string | null
    >();
    expectTypeOf<Awaited<ReturnType<typeof client.search.getDocument>>['status']>().toEqualTypeOf<
      'queued' | 'indexed' | 'failed'
    >();
    expectTypeOf<Awaited<ReturnType<typeof client.search.deleteDocument>>>().toEqualTypeOf<undefined>();
    // @ts-expect-error the body is required and must match DocumentInput
    void (() => client.search.ingestDocument({ body: { title: 'no kind' } }));
    // @ts-expect-error path parameters are required
    void (() => client.search.getDocument({}));
    // No required input: callable without arguments.
    void (() => client.billing.plans());
  });

  it('has pages() only where the answer carries nextCursor', () => {
    expectTypeOf(client.search.search).toHaveProperty('pages');
    expectTypeOf(client.webhooks.listDeliveries).toHaveProperty('pages');
    // @ts-expect-error a single document is not paged
    void client.search.getDocument.pages;
  });

  it('leaves out internal routes, Stripe intake and MCP', () => {
    // @ts-expect-error internal
    void client.billing.entitlements;
    // @ts-expect-error internal
    void client.search.graph;
    // @ts-expect-error Stripe's intake
    void client.billing.stripeWebhook;
    // @ts-expect-error MCP has its own client
    void client.ai.mcp;
  });

  it('makes typed errors subclasses of ProblemError', () => {
    expectTypeOf<NotFoundError>().toExtend<ProblemError>();
  });
});
