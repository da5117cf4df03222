import { aiRoutes, type HttpMethod, MethodNotAllowedError } from '@mna/shared';
import type { ServiceApp } from '@mna/shared/kit';
import type { FastifyRequest } from 'fastify';
import '../fastify-types.js';
import type { GatewayRoute } from '../proxy/route-table.js';
import { readPayload } from './payload.js';

/** W3C Trace Context, version 00: `00-<trace id>-<parent id>-<flags>`, ids not all zeros. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
type AnyMethod = HttpMethod | 'HEAD';
/** The polling resource of an accepted AI job. */
const JOB_PATH = aiRoutes.getJob.path.replace('/:id', '');

type Accepted = Record<string, unknown>;

const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;
const segment = (value: unknown) => (typeof value === 'string' ? encodeURIComponent(value) : null);

/**
 * Where a 201/202 answer's resource (or its status) can be read: an AI job at /v1/ai/jobs/:id, a
 * recovery at …/recoveries/:recoveryId, else `<POST path>/<id>` when the API serves GET there.
 */
function locationOf(route: GatewayRoute, gets: Set<string>, url: string, body: Accepted) {
  const job = segment(body.jobId);
  if (job) return `${JOB_PATH}/${job}`;
  const recovery = segment(body.recoveryId);
  if (recovery && url.endsWith('/recover'))
    return `${url.slice(0, -'/recover'.length)}/recoveries/${recovery}`;
  const id = segment(body.id);
  if (id && gets.has(`${route.path}/:id`)) return `${url}/${id}`;
  return undefined;
}

/** Route patterns compared without their parameter names (`/a/:id` and `/a/:x` are one path). */
const shape = (path: string) => path.replace(/:[^/]+/g, ':');

/**
 * The API's HTTP conventions around the proxied routes: 405 with `Allow` for a known path asked
 * with another method (before the body is read); `Location` on 201/202; `traceparent` (W3C) echoed
 * when well-formed (x-request-id is the kit's).
 */
export async function registerHttpConventions(app: ServiceApp, routes: GatewayRoute[]) {
  app.addHook('onRequest', async (request, reply) => {
    const traceparent = request.headers.traceparent;
    if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent))
      reply.header('traceparent', traceparent);
  });

  const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.path));
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.config.gateway;
    if (!route || (reply.statusCode !== 201 && reply.statusCode !== 202) || reply.hasHeader('location')) {
      return payload;
    }
    if (!String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
    const body = await readPayload(payload);
    if (!body) return payload;
    try {
      const location = locationOf(
        route,
        gets,
        pathOf(request),
        JSON.parse(body.toString('utf8')) as Accepted,
      );
      if (location) reply.header('location', location);
    } catch {
      // Not JSON after all: the answer goes out as it came.
    }
    return body;
  });

  const byShape = new Map<string, { path: string; methods: Set<HttpMethod> }>();
  for (const route of routes) {
    const entry = byShape.get(shape(route.path)) ?? { path: route.path, methods: new Set() };
    entry.methods.add(route.method);
    byShape.set(shape(route.path), entry);
  }
  for (const { path, methods } of byShape.values()) {
    const allowed: AnyMethod[] = [...methods];
    if (methods.has('GET')) allowed.push('HEAD');
    const missing: AnyMethod[] = METHODS.filter((m) => !methods.has(m));
    if (!methods.has('GET')) missing.push('HEAD');
    app.route({
      method: missing,
      url: path,
      onRequest: async (request) => {
        throw new MethodNotAllowedError(request.method, allowed);
      },
      handler: async () => undefined,
    });
  }
}
