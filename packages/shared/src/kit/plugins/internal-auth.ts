import fp from 'fastify-plugin';
import { UnauthorizedError } from '../../errors.js';
import { INTERNAL_TOKEN_HEADER, InternalTokenError, verifyInternalToken } from '../../internal-auth.js';

/**
 * Refuses any request without a valid gateway-signed token, except routes whose config says
 * `auth: 'public'` (health, metrics, Stripe's webhook) and unknown routes (which answer 404).
 */
export const internalAuthPlugin = fp<{ secret: string }>(
  async (app, { secret }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.url === undefined || request.is404) return;
      const header = request.headers[INTERNAL_TOKEN_HEADER];
      const token = typeof header === 'string' ? header : undefined;
      const isPublic = request.routeOptions.config.auth === 'public';
      if (isPublic && !token) return;
      try {
        request.principal = await verifyInternalToken(token, secret);
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
