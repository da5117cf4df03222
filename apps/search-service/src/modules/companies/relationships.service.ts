import { createHash } from 'node:crypto';
import {
  type Graph,
  type GraphQuerySchema,
  NotFoundError,
  type Principal,
  type Relationship,
  type RelationshipInputSchema,
  type RelationshipListQuerySchema,
  ValidationError,
} from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import type { z } from 'zod';
import type { SearchDatabase } from '../../db/schema.js';
import { recordAudit } from '../audit/audit.repo.js';
import { companiesRepo, RELATIONSHIP_COLUMNS, toCompany, toRelationship } from './companies.repo.js';

type RelationshipInput = z.output<typeof RelationshipInputSchema>;
type ListQuery = z.output<typeof RelationshipListQuerySchema>;
type GraphQuery = z.output<typeof GraphQuerySchema>;

export function createRelationshipsService(deps: { db: Kysely<SearchDatabase> }) {
  /** Creates an edge, or updates the strength, source and date of the same (from, to, kind). */
  async function upsert(principal: Principal, input: RelationshipInput): Promise<Relationship> {
    const tenantId = principal.tenantId;
    if (input.fromCompanyId === input.toCompanyId) {
      throw new ValidationError('A relationship joins two different companies.', [
        { path: 'body.toCompanyId', message: 'must differ from fromCompanyId' },
      ]);
    }
    return withTenant(deps.db, tenantId, async (trx) => {
      const found = await companiesRepo.findMany(trx, tenantId, [input.fromCompanyId, input.toCompanyId]);
      for (const id of [input.fromCompanyId, input.toCompanyId]) {
        if (!found.some((c) => c.id === id)) throw new NotFoundError(`No company ${id}.`);
      }
      const row = await trx
        .insertInto('search.relationships')
        .values({
          tenant_id: tenantId,
          from_company_id: input.fromCompanyId,
          to_company_id: input.toCompanyId,
          kind: input.kind,
          strength: input.strength,
          source: input.source ?? null,
          since: input.since ?? null,
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'from_company_id', 'to_company_id', 'kind']).doUpdateSet((eb) => ({
            strength: eb.ref('excluded.strength'),
            source: eb.ref('excluded.source'),
            since: eb.ref('excluded.since'),
            updated_at: sql<Date>`clock_timestamp()`,
          })),
        )
        .returning(RELATIONSHIP_COLUMNS)
        .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: 'relationship.upsert',
        targetIds: [row.id],
        details: { from: input.fromCompanyId, to: input.toCompanyId, kind: input.kind },
      });
      return toRelationship(row);
    });
  }

  async function listFor(principal: Principal, companyId: string, query: ListQuery) {
    const tenantId = principal.tenantId;
    return withTenant(deps.db, tenantId, async (trx) => {
      if (!(await companiesRepo.findById(trx, tenantId, companyId))) {
        throw new NotFoundError(`No company ${companyId}.`);
      }
      let q = trx
        .selectFrom('search.relationships')
        .select(RELATIONSHIP_COLUMNS)
        .where('tenant_id', '=', tenantId);
      q = q.where((eb) => {
        const out = eb('from_company_id', '=', companyId);
        const inn = eb('to_company_id', '=', companyId);
        return query.direction === 'out' ? out : query.direction === 'in' ? inn : eb.or([out, inn]);
      });
      if (query.kind) q = q.where('kind', '=', query.kind);
      const rows = await q.orderBy('strength', 'desc').orderBy('id').execute();
      return { relationships: rows.map(toRelationship) };
    });
  }

  /**
   * The tenant's graph: from a company, breadth-first over edges in both directions up to `depth`
   * hops and `maxNodes` nodes; without one, the whole graph up to `maxNodes`.
   */
  async function graph(principal: Principal, query: GraphQuery): Promise<Graph> {
    const tenantId = principal.tenantId;
    return withTenant(deps.db, tenantId, async (trx) => {
      const edges = trx
        .selectFrom('search.relationships')
        .select(RELATIONSHIP_COLUMNS)
        .where('tenant_id', '=', tenantId);
      let nodeIds: string[];
      if (query.companyId) {
        if (!(await companiesRepo.findById(trx, tenantId, query.companyId))) {
          throw new NotFoundError(`No company ${query.companyId}.`);
        }
        const seen = new Set([query.companyId]);
        let frontier = [query.companyId];
        for (let hop = 0; hop < query.depth && frontier.length > 0 && seen.size < query.maxNodes; hop++) {
          const level = await edges
            .where((eb) =>
              eb.or([eb('from_company_id', 'in', frontier), eb('to_company_id', 'in', frontier)]),
            )
            .execute();
          frontier = [];
          for (const e of level) {
            for (const id of [e.from_company_id, e.to_company_id]) {
              if (!seen.has(id) && seen.size < query.maxNodes) {
                seen.add(id);
                frontier.push(id);
              }
            }
          }
        }
        nodeIds = [...seen];
      } else {
        const rows = await trx
          .selectFrom('search.companies')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .orderBy('id')
          .limit(query.maxNodes)
          .execute();
        nodeIds = rows.map((r) => r.id);
      }
      const nodes = await companiesRepo.findMany(trx, tenantId, nodeIds);
      const edgeRows =
        nodeIds.length === 0
          ? []
          : await edges
              .where('from_company_id', 'in', nodeIds)
              .where('to_company_id', 'in', nodeIds)
              .orderBy('id')
              .execute();
      const { rows } = await companiesRepo.version(trx, tenantId);
      return {
        nodes: nodes.map(toCompany),
        edges: edgeRows.map(toRelationship),
        version: createHash('sha256').update(rows[0]!.v).digest('hex').slice(0, 16),
      };
    });
  }

  return { upsert, listFor, graph };
}

export type RelationshipsService = ReturnType<typeof createRelationshipsService>;
