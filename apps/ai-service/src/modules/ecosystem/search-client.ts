import {
  createServiceClient,
  type PassagesRequest,
  type Principal,
  type PrincipalInput,
  passageRoutes,
  searchRoutes,
} from '@mna/shared';

export type SearchClientSettings = { baseUrl: string; internalTokenSecret: string; timeoutMs: number };

/**
 * The AI service's only way to companies, documents (and their text) and relationships: search-service's HTTP API,
 * through the shared contracts, as the calling principal (so tenancy is enforced there).
 */
export function createSearchClient(settings: SearchClientSettings) {
  const client = createServiceClient({
    service: 'search-service',
    baseUrl: settings.baseUrl,
    internalTokenSecret: settings.internalTokenSecret,
    timeoutMs: settings.timeoutMs,
  });
  const as = (principal: Principal | PrincipalInput) => ({ principal });
  return {
    getCompany: (principal: PrincipalInput, id: string) =>
      client.call(searchRoutes.getCompany, { ...as(principal), params: { id } }),
    similarCompanies: (principal: PrincipalInput, id: string, limit: number) =>
      client.call(searchRoutes.similarCompanies, { ...as(principal), params: { id }, query: { limit } }),
    search: (
      principal: PrincipalInput,
      body: Parameters<typeof client.call<typeof searchRoutes.search>>[1]['body'],
    ) => client.call(searchRoutes.search, { ...as(principal), body }),
    /** The version of the tenant's documents: one primary-key read there, no search. */
    dataVersion: (principal: PrincipalInput) => client.call(searchRoutes.dataVersion, as(principal)),
    /** The chunks of named documents, ranked for a question (the analyst's evidence). */
    passages: (principal: PrincipalInput, body: PassagesRequest) =>
      client.call(passageRoutes.passages, { ...as(principal), body }),
    getDocument: (principal: PrincipalInput, id: string) =>
      client.call(searchRoutes.getDocument, { ...as(principal), params: { id } }),
    graph: (principal: PrincipalInput, query: { companyId?: string; depth?: number; maxNodes?: number }) =>
      client.call(searchRoutes.graph, { ...as(principal), query, timeoutMs: settings.timeoutMs * 4 }),
    close: () => client.close(),
  };
}

export type SearchClient = ReturnType<typeof createSearchClient>;
