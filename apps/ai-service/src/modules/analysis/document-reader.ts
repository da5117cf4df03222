import { createServiceClient, type PassagesRequest, type PrincipalInput, passageRoutes } from '@mna/shared';
import type { SearchClientSettings } from '../ecosystem/search-client.js';

/**
 * The analyst's way to the documents' text: search-service's internal passages route, through the
 * shared contract, as the calling principal (so a foreign document is a 404 there).
 */
export function createDocumentReader(settings: SearchClientSettings) {
  const client = createServiceClient({
    service: 'search-service',
    baseUrl: settings.baseUrl,
    internalTokenSecret: settings.internalTokenSecret,
    timeoutMs: settings.timeoutMs,
  });
  return {
    passages: (principal: PrincipalInput, body: PassagesRequest) =>
      client.call(passageRoutes.passages, { principal, body }),
    close: () => client.close(),
  };
}

export type DocumentReader = Pick<ReturnType<typeof createDocumentReader>, 'passages'>;
