import { webhookRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { EndpointsService } from './endpoints.service.js';

/** Partner webhook endpoints of the caller's tenant (deliveries, replay and recovery: delivery.routes). */
export function registerEndpointRoutes(app: ServiceApp, deps: { endpoints: EndpointsService }) {
  const { endpoints } = deps;
  mountRoute(app, webhookRoutes.createEndpoint, ({ principal, body }) => endpoints.create(principal, body));
  mountRoute(app, webhookRoutes.listEndpoints, ({ principal, query }) =>
    endpoints.list(principal.tenantId, query),
  );
  mountRoute(app, webhookRoutes.getEndpoint, ({ principal, params }) =>
    endpoints.get(principal.tenantId, params.id),
  );
  mountRoute(app, webhookRoutes.updateEndpoint, ({ principal, params, body }) =>
    endpoints.update(principal, params.id, body),
  );
  mountRoute(app, webhookRoutes.disableEndpoint, ({ principal, params }) =>
    endpoints.disable(principal, params.id),
  );
  mountRoute(app, webhookRoutes.enableEndpoint, ({ principal, params }) =>
    endpoints.enable(principal, params.id),
  );
  mountRoute(app, webhookRoutes.rotateSecret, ({ principal, params }) =>
    endpoints.rotateSecret(principal, params.id),
  );
  mountRoute(app, webhookRoutes.deleteEndpoint, ({ principal, params }) =>
    endpoints.delete(principal, params.id),
  );
}
