import { searchRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { SearchService } from './search.service.js';

export function registerSearchRoutes(app: ServiceApp, service: SearchService): void {
  mountRoute(app, searchRoutes.search, ({ body, principal }) => service.search(principal, body));
}
