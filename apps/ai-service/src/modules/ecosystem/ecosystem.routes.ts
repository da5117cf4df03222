import { aiRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { InfluenceService } from './influence.service.js';
import type { PartnersService } from './partners.service.js';

export function ecosystemRoutes(
  app: ServiceApp,
  deps: { partners: PartnersService; influence: InfluenceService },
) {
  mountRoute(app, aiRoutes.findPartners, async ({ body, principal }) =>
    deps.partners.findPartners(principal, body),
  );
  mountRoute(app, aiRoutes.influence, async ({ params, query, principal }) =>
    deps.influence.influence(principal, params.id, query),
  );
}
