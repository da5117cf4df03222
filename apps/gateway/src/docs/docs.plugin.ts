import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ServiceApp } from '@mna/shared/kit';
import type { OpenApiDocument } from './openapi.js';

/** Serves the generated document at /docs/openapi.json and Swagger UI at /docs. */
export async function registerDocs(app: ServiceApp, document: OpenApiDocument) {
  await app.register(swagger, {
    mode: 'static',
    specification: { document: document as never },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/docs/openapi.json', { logLevel: 'warn' }, async () => document);
}
