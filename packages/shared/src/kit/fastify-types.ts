import type { RouteAuth } from '../contracts/route.js';
import type { Principal } from '../internal-auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the internal-auth guard; null on public routes called without a token. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** True once shutdown began: /readyz answers 503 so load balancers stop sending traffic. */
    draining: boolean;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}
