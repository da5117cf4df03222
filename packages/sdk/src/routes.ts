import { aiRoutes } from '@mna/shared/contracts/ai';
import { billingRoutes } from '@mna/shared/contracts/billing';
import type { RouteContract } from '@mna/shared/contracts/route';
import { searchRoutes } from '@mna/shared/contracts/search';
import { webhookRoutes } from '@mna/shared/contracts/webhooks';

/** Every contract record the client is generated from: one namespace of the client per record. */
export const API = {
  search: searchRoutes,
  ai: aiRoutes,
  billing: billingRoutes,
  webhooks: webhookRoutes,
} as const;

type Api = typeof API;

/**
 * A route clients call: the public API under `/v1`, never a service-to-service (`internal`) route or
 * an intake like Stripe's webhook; MCP speaks its own protocol (use an MCP client on `/v1/mcp`).
 */
type IsClientRoute<R> = R extends RouteContract
  ? R['auth'] extends 'internal'
    ? false
    : R['path'] extends '/v1/mcp'
      ? false
      : R['path'] extends `/v1/${string}`
        ? true
        : false
  : false;

export const isClientRoute = (route: RouteContract): boolean =>
  route.auth !== 'internal' && route.path !== '/v1/mcp' && route.path.startsWith('/v1/');

/** The client routes of one contract record, by their contract key. */
export type ClientRoutes<Record> = {
  [K in keyof Record as IsClientRoute<Record[K]> extends true ? K : never]: Record[K] extends RouteContract
    ? Record[K]
    : never;
};

export type ApiRoutes = { [N in keyof Api]: ClientRoutes<Api[N]> };
