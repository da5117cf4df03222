import {
  aiRoutes,
  billingRoutes,
  type Feature,
  type HttpMethod,
  type RouteAccess,
  type RouteAuth,
  type RouteContract,
  searchRoutes,
  webhookRoutes,
} from '@mna/shared';
import type { GatewayConfig } from '../config.js';

export const SERVICES = ['search', 'ai', 'billing'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type PublicAuth = Exclude<RouteAuth, 'internal'>;
/** Which rate-limit budget a route draws from. */
export type Bucket = 'tenant' | 'ai' | 'ip' | 'none';

export type GatewayRoute = {
  method: HttpMethod;
  path: string;
  summary: string;
  auth: PublicAuth;
  feature?: Feature;
  /** Who may call it (from the contract; every non-public route has one). */
  access?: RouteAccess;
  quota?: RouteContract['quota'];
  service: ServiceName;
  /** The shared contract (absent for MCP methods the AI contract does not list). */
  contract?: RouteContract;
  bucket: Bucket;
  timeoutMs: number;
  bodyLimit: number;
  /** Forward the body byte for byte and skip Clerk (Stripe's signed webhook). */
  rawBody: boolean;
};

const CONTRACTS: Record<ServiceName, Record<string, RouteContract>> = {
  search: searchRoutes,
  ai: aiRoutes,
  billing: { ...billingRoutes, ...webhookRoutes },
};

export const MCP_PATH = '/v1/mcp';
const MCP_METHODS: HttpMethod[] = ['GET', 'POST', 'DELETE'];
/** AI routes that are cheap (polling a job, the MCP transport) and use the tenant's general budget. */
const CHEAP_AI_PATHS = new Set([aiRoutes.getJob.path, MCP_PATH]);

function entry(config: GatewayConfig, service: ServiceName, c: RouteContract): GatewayRoute {
  const rawBody = c.path === billingRoutes.stripeWebhook.path;
  const isMcp = c.path === MCP_PATH;
  const timeoutMs = {
    search: config.SEARCH_TIMEOUT_MS,
    ai: config.AI_TIMEOUT_MS,
    billing: config.BILLING_TIMEOUT_MS,
  }[service];
  let bodyLimit = config.BODY_LIMIT_BYTES;
  if (c.path === searchRoutes.ingestDocument.path) bodyLimit = config.DOCUMENT_BODY_LIMIT_BYTES;
  if (c.path === searchRoutes.ingestBulk.path) bodyLimit = config.BULK_BODY_LIMIT_BYTES;
  if (rawBody) bodyLimit = config.WEBHOOK_BODY_LIMIT_BYTES;
  const auth = c.auth as PublicAuth;
  let bucket: Bucket = auth === 'public' ? 'ip' : 'tenant';
  if (service === 'ai' && !CHEAP_AI_PATHS.has(c.path)) bucket = 'ai';
  if (rawBody) bucket = 'none';
  // MCP is open to every authenticated plan: ai-service refuses a plan without MCP per tool, as a tool
  // error an assistant can show, so the gateway checks no feature there.
  const feature = isMcp ? undefined : c.feature;
  // Fail closed at start: a routed route without a rule would otherwise be open to every member.
  if (auth !== 'public' && !c.access) throw new Error(`${c.method} ${c.path} declares no access rule`);
  return {
    method: c.method,
    path: c.path,
    summary: c.summary,
    auth,
    ...(feature ? { feature } : {}),
    ...(c.access ? { access: c.access } : {}),
    ...(c.quota ? { quota: c.quota } : {}),
    service,
    contract: c,
    bucket,
    timeoutMs: isMcp && c.method === 'GET' ? config.MCP_STREAM_TIMEOUT_MS : timeoutMs,
    bodyLimit,
    rawBody,
  };
}

/**
 * Every public route of the three services, read from the shared contracts (never listed by hand):
 * each contract whose auth is not `internal`, plus MCP's GET/POST/DELETE on `/v1/mcp` whether or not
 * the AI contract declares them (the `mcp` entitlement is checked per tool by ai-service).
 */
export function buildRouteTable(config: GatewayConfig): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  for (const service of SERVICES) {
    for (const contract of Object.values(CONTRACTS[service])) {
      if (contract.auth === 'internal') continue;
      routes.push(entry(config, service, contract));
    }
  }
  const mcp = routes.find((r) => r.path === MCP_PATH);
  for (const method of MCP_METHODS) {
    if (routes.some((r) => r.path === MCP_PATH && r.method === method)) continue;
    const base = mcp?.contract;
    const synthetic: RouteContract = {
      method,
      path: MCP_PATH,
      summary: base?.summary ?? 'MCP server for AI assistants (Streamable HTTP)',
      auth: base?.auth ?? 'session-or-machine',
      access: base?.access ?? { role: 'member', scope: 'mcp' },
      response: {},
    };
    const route = entry(config, 'ai', synthetic);
    delete route.contract;
    routes.push(route);
  }
  return routes;
}
