import type { BodyOf, ParamsOf, QueryOf, RouteContract } from '@mna/shared/contracts/route';
import type { z } from 'zod';
import { API, type ApiRoutes, isClientRoute } from './routes.js';
import {
  type CallOptions,
  type ClientOptions,
  createTransport,
  type Send,
  type WireInput,
} from './transport.js';

/** The body of any success answer of a route (e.g. 200 or 202), as the contract's zod output type. */
export type ResponseOf<R extends RouteContract> = {
  [S in keyof R['response']]: R['response'][S] extends z.ZodType ? z.output<R['response'][S]> : never;
}[keyof R['response']];

/** A part of the input: absent when the route has none, optional when every member is. */
type Part<K extends string, T> = [T] extends [undefined]
  ? { [P in K]?: undefined }
  : undefined extends T
    ? { [P in K]?: T }
    : Record<never, never> extends T
      ? { [P in K]?: T }
      : { [P in K]: T };

/** What a route method takes: the contract's `params`, `query` and `body` (zod input types). */
export type RequestOf<R extends RouteContract> = Part<'params', ParamsOf<R>> &
  Part<'query', QueryOf<R>> &
  Part<'body', BodyOf<R>> &
  CallOptions;

type Call<R extends RouteContract> =
  Record<never, never> extends RequestOf<R>
    ? (input?: RequestOf<R>) => Promise<ResponseOf<R>>
    : (input: RequestOf<R>) => Promise<ResponseOf<R>>;

/** Routes answering `nextCursor` page through `pages()`. */
type Paging<R extends RouteContract> =
  ResponseOf<R> extends { nextCursor: string | null }
    ? {
        /** Every page, from the input's cursor (or the first) until `nextCursor` is null. */
        pages: (input: RequestOf<R>) => AsyncGenerator<ResponseOf<R>, void, undefined>;
      }
    : unknown;

export type RouteMethod<R extends RouteContract> = Call<R> & Paging<R> & { readonly route: R };

export type ApiClient = {
  [N in keyof ApiRoutes]: {
    [K in keyof ApiRoutes[N]]: ApiRoutes[N][K] extends RouteContract ? RouteMethod<ApiRoutes[N][K]> : never;
  };
};

const shapeHas = (schema: unknown, key: string) =>
  typeof schema === 'object' && schema !== null && 'shape' in schema && key in (schema.shape as object);

function withCursor(route: RouteContract, input: WireInput, cursor: string): WireInput {
  if (shapeHas(route.querystring, 'cursor')) return { ...input, query: { ...input.query, cursor } };
  // Another body is another request: it gets its own idempotency key.
  const { idempotencyKey: _firstPageKey, ...rest } = input;
  return { ...rest, body: { ...(input.body as object), cursor } };
}

function routeMethod(route: RouteContract, send: Send) {
  const call = (input?: WireInput) => send(route, input);
  async function* pages(input: WireInput) {
    let next: WireInput = input;
    for (;;) {
      const page = (await send(route, next)) as { nextCursor: string | null };
      yield page;
      if (!page.nextCursor) return;
      next = withCursor(route, input, page.nextCursor);
    }
  }
  return Object.assign(call, { route, pages });
}

/**
 * A client for the platform's public API, generated from the shared route contracts: one namespace per
 * contract record (`search`, `ai`, `billing`, `webhooks`), one method per route, named by its key.
 *
 * @example
 * const mna = createClient({ baseUrl: 'https://api.mna.dev', token: process.env.MNA_TOKEN });
 * const { id } = await mna.search.ingestDocument({ body: { externalId: 'memo-1', kind: 'deal_memo', title: 'Acme', content: '…' } });
 * for await (const page of mna.search.search.pages({ body: { query: 'vertical SaaS', limit: 20 } })) console.log(page.results);
 */
export function createClient(options: ClientOptions): ApiClient {
  const send = createTransport(options);
  const client: Record<string, Record<string, unknown>> = {};
  for (const [namespace, routes] of Object.entries(API)) {
    const methods: Record<string, unknown> = {};
    for (const [name, route] of Object.entries(routes as Record<string, RouteContract>)) {
      if (isClientRoute(route)) methods[name] = routeMethod(route, send);
    }
    client[namespace] = methods;
  }
  return client as ApiClient;
}
