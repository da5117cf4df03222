import { passageRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { PassagesService } from './passages.service.js';

export function registerPassageRoutes(app: ServiceApp, service: PassagesService): void {
  mountRoute(app, passageRoutes.passages, ({ body, principal }) => service.passages(principal, body));
}
