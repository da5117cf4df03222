import fp from 'fastify-plugin';
import { UnauthorizedError } from '../../errors.js';
import {
  createInternalTokenVerifier,
  INTERNAL_TOKEN_HEADER,
  InternalTokenError,
} from '../../internal-auth.js';
import { REQUEST_ID_HEADER } from './request-id.js';

/**
 * Refuses any request without a valid gateway-signed token, except routes whose config says
 * `auth: 'public'` (health, metrics, Stripe's webhook) and unknown routes (which answer 404).
 */
export const internalAuthPlugin = fp<{ secret: string }>(
  async (app, { secret }) => {
    const verifyInternalToken = createInternalTokenVerifier(secret);
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.url === undefined || request.is404) return;
      const header = request.headers[INTERNAL_TOKEN_HEADER];
      const token = typeof header === 'string' ? header : undefined;
      const isPublic = request.routeOptions.config.auth === 'public';
      if (isPublic && !token) return;
      try {
        const principal = await verifyInternalToken(token);
        // The gateway reuses one signed token per principal for a few seconds, so the token's requestId
        // may name an earlier request; a well-formed x-request-id (then request.id) names this one.
        request.principal =
          request.headers[REQUEST_ID_HEADER] === request.id
            ? { ...principal, requestId: request.id }
            : principal;
      } catch (error) {
        if (isPublic) return;
        const reason = error instanceof InternalTokenError ? error.reason : 'invalid';
        request.log.info({ reason }, 'internal token refused');
        throw new UnauthorizedError('A valid internal token is required.');
      }
    });
  },
  { name: 'mna-internal-auth' },
);
