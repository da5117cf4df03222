import { ProblemSchema, type RouteContract } from '@mna/shared';
import { z } from 'zod';
import type { GatewayRoute } from '../proxy/route-table.js';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const problemRef = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemRef } },
});

function parameters(contract: RouteContract | undefined) {
  const out: Record<string, unknown>[] = [];
  for (const [where, schema] of [
    ['path', contract?.params],
    ['query', contract?.querystring],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return out;
}

function errorResponses(route: GatewayRoute): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    '400': problem('The request does not match the contract'),
    '404': problem('No such route, or no such object for this tenant'),
  };
  if (route.auth !== 'public') {
    responses['401'] = problem('Missing, malformed, expired or wrongly signed token (generic body)');
  }
  const refusals: string[] = [];
  if (route.access)
    refusals.push(`the caller lacks ${permissionText(route)} (names the role or scope needed)`);
  if (route.feature) refusals.push(`the plan does not include ${route.feature} (names the plan that does)`);
  if (refusals.length > 0) responses['403'] = problem(`Forbidden: ${refusals.join('; or ')}`);
  if (route.access && !route.access.unpaid) {
    const quota = route.quota
      ? '; or the monthly allowance is used up (names the plan that allows more)'
      : '';
    responses['402'] = problem(
      `No subscription (hint: POST /v1/billing/checkout), or more organisation members than seats${quota}`,
    );
  }
  if (route.method !== 'GET' && route.method !== 'DELETE')
    responses['413'] = problem('Body over the route limit');
  if (route.bucket !== 'none') {
    responses['429'] = {
      ...problem('Rate limit exceeded'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
    };
  }
  responses['502'] = problem('The service answered with an error');
  responses['503'] = problem('The service is unavailable or its circuit is open (Retry-After)');
  responses['504'] = problem(`No answer within the route timeout (${route.timeoutMs} ms)`);
  return responses;
}

/** The access rule in words, for descriptions. */
function permissionText(route: GatewayRoute): string {
  const access = route.access!;
  const role = access.role === 'member' ? 'organisation membership' : `the role ${access.role}`;
  return access.scope ? `${role} (session) or the scope ${access.scope} (machine token)` : role;
}

function operation(route: GatewayRoute): Operation {
  const contract = route.contract;
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(contract?.response ?? {})) {
    responses[status] =
      status === '204' || !schema
        ? { description: 'No content' }
        : { description: 'Success', content: { 'application/json': { schema: toSchema(schema, 'output') } } };
  }
  if (Object.keys(responses).length === 0)
    responses['200'] = { description: 'Success (MCP JSON-RPC or event stream)' };
  const op: Operation = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[/:]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
    summary: route.summary,
    tags: [route.service],
    'x-auth': route.auth,
    ...(route.feature ? { 'x-feature': route.feature } : {}),
    // Who may call it, from the contract's access rule (the gateway enforces it before the body is read).
    ...(route.access
      ? {
          'x-permission': {
            role: route.access.role,
            scope: route.access.scope ?? null,
            requiresSubscription: !route.access.unpaid,
          },
          description: `Requires ${permissionText(route)}.`,
        }
      : {}),
    ...(route.quota ? { 'x-quota': route.quota } : {}),
    security: route.auth === 'public' ? [] : [{ bearerAuth: [] }],
    parameters: parameters(contract),
    responses: { ...responses, ...errorResponses(route) },
  };
  if (route.rawBody) {
    op.requestBody = {
      required: true,
      description: 'The Stripe event exactly as Stripe sent it (verified with the Stripe-Signature header)',
      content: { 'application/json': { schema: { type: 'object' } } },
    };
  } else if (contract?.body) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: toSchema(contract.body, 'input') } },
    };
  }
  return op;
}

/** The OpenAPI 3.1 document of the public API, generated from the same contracts the services mount. */
export function buildOpenApiDocument(routes: GatewayRoute[], serverUrl?: string) {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'M&A intelligence platform API',
      version: '1.0.0',
      description:
        'Public API of the gateway. Authenticate with a Clerk session token (`Authorization: Bearer …`); ' +
        'routes marked `x-auth: session-or-machine` also accept Clerk machine (M2M) tokens. Errors are ' +
        'RFC 9457 problem+json. Rate limits follow the tenant’s plan (RateLimit-* headers).',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: toSchema(ProblemSchema, 'output') },
    },
    paths,
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
