import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  type Company,
  createLogger,
  createMetrics,
  type Document,
  NotFoundError,
  type Passage,
  passageRoutes,
  type Relationship,
  searchRoutes,
} from '@mna/shared';
import { createServiceApp, mountRoute } from '@mna/shared/kit';
import { TEST_INTERNAL_SECRET } from '@mna/testing';

export type StandInDocument = Document & { content: string };
export type TenantData = {
  companies: Company[];
  edges: Relationship[];
  documents: StandInDocument[];
  version: string;
};

const now = '2026-11-01T00:00:00.000Z';

export function company(input: Partial<Company> & { name: string }): Company {
  return {
    id: randomUUID(),
    externalId: null,
    description: '',
    industry: null,
    region: null,
    employees: null,
    revenueUsd: null,
    tags: [],
    embeddingStatus: 'indexed',
    createdAt: now,
    updatedAt: now,
    ...input,
  };
}

export function edge(
  from: Company,
  to: Company,
  strength: number,
  kind: Relationship['kind'] = 'partner',
): Relationship {
  return {
    id: randomUUID(),
    fromCompanyId: from.id,
    toCompanyId: to.id,
    kind,
    strength,
    source: null,
    since: null,
    createdAt: now,
  };
}

export function doc(input: { title: string; content: string; kind?: Document['kind'] }): StandInDocument {
  return {
    id: randomUUID(),
    externalId: `ext-${randomUUID().slice(0, 8)}`,
    kind: input.kind ?? 'deal_memo',
    title: input.title,
    content: input.content,
    metadata: {},
    status: 'indexed',
    chunkCount: 1,
    error: null,
    deadLettered: false,
    embeddingModel: 'local-idf-v2',
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * A document's chunks as the stand-in cuts them: one per paragraph headed by the title (as
 * search-service heads its chunks), ids derived from document and position.
 */
export function chunksOf(d: StandInDocument): Array<{ id: string; seq: number; text: string }> {
  return d.content
    .split(/\n\s*\n/)
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text, seq) => {
      const h = createHash('sha256').update(`${d.id}:${seq}`).digest('hex');
      const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
      return { id, seq, text: `${d.title}\n\n${text}` };
    });
}

const STOPWORDS = new Set(
  'and are but for from has have into its not our that the their this with which who than'.split(' '),
);
/** Words of a description: lower-cased, stop words and short words dropped, plural s stripped. */
const descriptionWords = (text: string) =>
  (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((w) => w.length > 2 && !STOPWORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));

const wordSets = new WeakMap<Company, Set<string>>();
const words = (c: Company) => {
  let set = wordSets.get(c);
  if (!set) {
    set = new Set(
      [...(c.tags ?? []), c.industry ?? '', c.region ?? '', ...descriptionWords(c.description ?? '')]
        .map((w) => w.toLowerCase())
        .filter(Boolean),
    );
    wordSets.set(c, set);
  }
  return set;
};

/**
 * Cosine similarity of profile bags (tags, industry, region and the description's words, the text
 * search-service embeds): a deterministic stand-in for profile-embedding similarity.
 */
export function profileSimilarity(a: Company, b: Company): number {
  const [x, y] = [words(a), words(b)];
  if (x.size === 0 || y.size === 0) return 0;
  const shared = [...x].filter((w) => y.has(w)).length;
  return Math.round((shared / Math.sqrt(x.size * y.size)) * 10_000) / 10_000;
}

type Index = {
  version: string;
  edges: number;
  byNode: Map<string, Relationship[]>;
  byId: Map<string, Company>;
};
const indexes = new WeakMap<TenantData, Index>();

/** Edges per company and companies by id, rebuilt only when the version or the edge count changes. */
function indexOf(t: TenantData): Index {
  const known = indexes.get(t);
  if (known && known.version === t.version && known.edges === t.edges.length) return known;
  const byNode = new Map<string, Relationship[]>();
  for (const e of t.edges) {
    for (const id of [e.fromCompanyId, e.toCompanyId]) {
      const list = byNode.get(id);
      if (list) list.push(e);
      else byNode.set(id, [e]);
    }
  }
  const index = {
    version: t.version,
    edges: t.edges.length,
    byNode,
    byId: new Map(t.companies.map((c) => [c.id, c])),
  };
  indexes.set(t, index);
  return index;
}

/**
 * A contract-true stand-in for search-service: the same shared route contracts, the same internal
 * auth, tenant isolation (another tenant's id is a 404), over fixed in-memory data per tenant.
 */
export async function startSearchStandIn(data: Record<string, TenantData>) {
  const calls: Record<string, number> = {};
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const app = await createServiceApp({
    logger: createLogger({ service: 'search-stand-in', level: 'silent' }),
    metrics: createMetrics('search-stand-in'),
    readiness: {},
    internalTokenSecret: TEST_INTERNAL_SECRET,
    bodyLimit: 50 * 1024 * 1024,
  });
  const tenant = (id: string): TenantData =>
    data[id] ?? { companies: [], edges: [], documents: [], version: 'empty' };
  const findCompany = (t: TenantData, id: string) => {
    const found = t.companies.find((c) => c.id === id);
    if (!found) throw new NotFoundError('No such company.');
    return found;
  };
  mountRoute(app, searchRoutes.getCompany, async ({ params, principal }) => {
    count('getCompany');
    return findCompany(tenant(principal.tenantId), params.id);
  });
  mountRoute(app, searchRoutes.similarCompanies, async ({ params, query, principal }) => {
    count('similarCompanies');
    const t = tenant(principal.tenantId);
    const self = findCompany(t, params.id);
    const companies = t.companies
      .filter((c) => c.id !== self.id)
      .map((c) => ({ company: c, similarity: profileSimilarity(self, c) }))
      .filter((s) => s.similarity > 0)
      .sort((a, b) => b.similarity - a.similarity || (a.company.id < b.company.id ? -1 : 1))
      .slice(0, query.limit);
    return { companies };
  });
  mountRoute(app, searchRoutes.getDocument, async ({ params, principal }) => {
    count('getDocument');
    const found = tenant(principal.tenantId).documents.find((d) => d.id === params.id);
    if (!found) throw new NotFoundError('No such document.');
    const { content: _content, ...document } = found;
    return document;
  });
  mountRoute(app, searchRoutes.dataVersion, async ({ principal }) => {
    count('dataVersion');
    // Changes with any document of the tenant (its id, content or updatedAt), as search-service's does.
    const state = tenant(principal.tenantId)
      .documents.map((d) => `${d.id}@${d.updatedAt}:${d.content}`)
      .sort()
      .join('|');
    return { documents: createHash('sha256').update(state).digest('hex').slice(0, 16) };
  });
  mountRoute(app, searchRoutes.search, async ({ body, principal }) => {
    count('search');
    const terms = body.query
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w.length > 2);
    const results = tenant(principal.tenantId)
      .documents.map((d) => ({
        d,
        hits: terms.filter((w) => `${d.title} ${d.content}`.toLowerCase().includes(w)).length,
      }))
      .filter((r) => r.hits > 0)
      .sort((a, b) => b.hits - a.hits || (a.d.id < b.d.id ? -1 : 1))
      .slice(0, body.limit)
      .map(({ d, hits }) => ({
        documentId: d.id,
        chunkId: d.id,
        title: d.title,
        snippet: d.content.slice(0, 200),
        score: hits / terms.length,
        scores: { keyword: hits / terms.length },
        metadata: d.metadata,
        kind: d.kind,
      }));
    return { results, nextCursor: null, tookMs: 1 };
  });
  mountRoute(app, passageRoutes.passages, async ({ body, principal }) => {
    count('passages');
    const docs = tenant(principal.tenantId).documents;
    const named = [...new Set(body.documentIds)].map((id) => {
      const found = docs.find((d) => d.id === id);
      if (!found) throw new NotFoundError('One or more of the documents do not exist.');
      return found;
    });
    const terms = [...new Set(body.query.toLowerCase().match(/[a-z0-9]{3,}/g) ?? [])];
    const ranked = named.map((d) =>
      chunksOf(d)
        .map((c) => ({
          d,
          c,
          score: terms.filter((w) => c.text.toLowerCase().includes(w)).length / terms.length,
        }))
        .sort((a, b) => b.score - a.score || a.c.seq - b.c.seq),
    );
    // Interleaved as search-service does: every document's best chunk first, then the second best...
    const passages: Passage[] = [];
    for (let place = 0; passages.length < body.limit && ranked.some((r) => r.length > place); place++)
      for (const r of ranked) {
        const p = r[place];
        if (p && passages.length < body.limit)
          passages.push({
            documentId: p.d.id,
            chunkId: p.c.id,
            title: p.d.title,
            kind: p.d.kind,
            seq: p.c.seq,
            text: p.c.text,
            score: p.score,
          });
      }
    return { passages };
  });
  mountRoute(app, searchRoutes.graph, async ({ query, principal }) => {
    count('graph');
    const t = tenant(principal.tenantId);
    if (!query.companyId) {
      const nodes = t.companies.slice(0, query.maxNodes);
      const ids = new Set(nodes.map((c) => c.id));
      const edges = t.edges.filter((e) => ids.has(e.fromCompanyId) && ids.has(e.toCompanyId));
      return { nodes, edges, version: t.version };
    }
    findCompany(t, query.companyId);
    const { byNode, byId } = indexOf(t);
    const ids = new Set([query.companyId]);
    let frontier = [query.companyId];
    for (let d = 0; d < query.depth && ids.size < query.maxNodes; d++) {
      const next: string[] = [];
      for (const id of frontier)
        for (const e of byNode.get(id) ?? []) {
          const n = e.fromCompanyId === id ? e.toCompanyId : e.fromCompanyId;
          if (!ids.has(n) && ids.size < query.maxNodes) {
            ids.add(n);
            next.push(n);
          }
        }
      frontier = next;
    }
    const edges = new Map<string, Relationship>();
    for (const id of ids)
      for (const e of byNode.get(id) ?? [])
        if (ids.has(e.fromCompanyId) && ids.has(e.toCompanyId)) edges.set(e.id, e);
    return { nodes: [...ids].map((id) => byId.get(id)!), edges: [...edges.values()], version: t.version };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, data, close: () => app.close() };
}

export type SearchStandIn = Awaited<ReturnType<typeof startSearchStandIn>>;
