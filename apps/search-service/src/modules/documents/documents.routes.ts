import { searchRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { DocumentsService } from './documents.service.js';

/** One document is at most 2M characters, up to 4 bytes each in UTF-8, plus its JSON envelope. */
const SINGLE_BODY_LIMIT = 8.5 * 1024 * 1024;
const BULK_BODY_LIMIT = 64 * 1024 * 1024;

export function registerDocumentRoutes(app: ServiceApp, service: DocumentsService): void {
  mountRoute(
    app,
    searchRoutes.ingestDocument,
    async ({ body, principal }) => {
      const [accepted] = await service.ingest(principal, [body]);
      return accepted!;
    },
    { bodyLimit: SINGLE_BODY_LIMIT },
  );
  mountRoute(
    app,
    searchRoutes.ingestBulk,
    async ({ body, principal }) => {
      const accepted = await service.ingest(principal, body.documents);
      return { ids: accepted.map((a) => a.id), batchId: crypto.randomUUID() };
    },
    { bodyLimit: BULK_BODY_LIMIT },
  );
  mountRoute(app, searchRoutes.getDocument, ({ params, principal }) => service.get(principal, params.id));
  mountRoute(app, searchRoutes.dataVersion, ({ principal }) => service.dataVersion(principal));
  mountRoute(app, searchRoutes.deleteDocument, async ({ params, principal }) => {
    await service.remove(principal, params.id);
    return undefined;
  });
}
