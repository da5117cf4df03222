import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { z } from 'zod';
import type { ResponseOf, RouteContract } from '../contracts/route.js';
import { UnauthorizedError } from '../errors.js';
import type { Principal } from '../internal-auth.js';
import type { ServiceApp } from './service-app.js';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteInput<R extends RouteContract> = {
  params: Out<R['params']>;
  query: Out<R['querystring']>;
  body: Out<R['body']>;
  request: FastifyRequest;
};

type AuthedInput<R extends RouteContract> = RouteInput<R> & {
  /** Always present on non-public routes: the guard refused the request otherwise. */
  principal: R['auth'] extends 'public' ? Principal | null : Principal;
};

type RouteOptions = { bodyLimit?: number };

const successStatuses = (route: RouteContract) =>
  Object.keys(route.response)
    .map(Number)
    .filter((s) => s < 300);

/**
 * Mounts a shared route contract on a service: the contract's zod schemas validate the input and
 * serialise the output; the handler receives parsed input and the caller's principal.
 */
export function mountRoute<R extends RouteContract>(
  app: ServiceApp,
  route: R,
  handler: (input: AuthedInput<R>, reply: FastifyReply) => Promise<ResponseOf<R> | undefined>,
  options: RouteOptions = {},
): void {
  const schema: FastifySchema = { response: route.response };
  if (route.params) schema.params = route.params;
  if (route.querystring) schema.querystring = route.querystring;
  if (route.body) schema.body = route.body;
  const statuses = successStatuses(route);
  const defaultStatus = statuses.length === 1 ? statuses[0]! : 200;
  app.route({
    method: route.method,
    url: route.path,
    schema,
    config: { auth: route.auth === 'public' ? 'public' : 'internal' },
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    handler: async (request, reply) => {
      if (!request.principal && route.auth !== 'public') throw new UnauthorizedError();
      reply.code(defaultStatus);
      const result = await handler(
        {
          params: request.params as Out<R['params']>,
          query: request.query as Out<R['querystring']>,
          body: request.body as Out<R['body']>,
          request,
          principal: request.principal as AuthedInput<R>['principal'],
        },
        reply,
      );
      if (reply.statusCode === 204) return reply.send();
      return result;
    },
  });
}
