import { searchRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { CompaniesService } from './companies.service.js';
import type { RelationshipsService } from './relationships.service.js';

export function registerCompanyRoutes(
  app: ServiceApp,
  companies: CompaniesService,
  relationships: RelationshipsService,
): void {
  mountRoute(app, searchRoutes.createCompany, ({ body, principal }) => companies.upsert(principal, body));
  mountRoute(app, searchRoutes.getCompany, ({ params, principal }) => companies.get(principal, params.id));
  mountRoute(app, searchRoutes.listCompanies, ({ query, principal }) => companies.list(principal, query));
  mountRoute(app, searchRoutes.similarCompanies, ({ params, query, principal }) =>
    companies.similar(principal, params.id, query.limit),
  );
  mountRoute(app, searchRoutes.createRelationship, ({ body, principal }) =>
    relationships.upsert(principal, body),
  );
  mountRoute(app, searchRoutes.listRelationships, ({ params, query, principal }) =>
    relationships.listFor(principal, params.id, query),
  );
  mountRoute(app, searchRoutes.graph, ({ query, principal }) => relationships.graph(principal, query));
}
