import { createHash } from 'node:crypto';
import {
  BadRequestError,
  type Company,
  type CompanyInputSchema,
  type CompanyListQuerySchema,
  NotFoundError,
  type Principal,
} from '@mna/shared';
import { withTenant } from '@mna/shared/kit';
import { type Kysely, sql } from 'kysely';
import type { z } from 'zod';
import type { SearchDatabase } from '../../db/schema.js';
import { recordAudit } from '../audit/audit.repo.js';
import type { EmbedEnqueuer } from '../indexing/indexing.queue.js';
import { COMPANY_COLUMNS, companiesRepo, toCompany } from './companies.repo.js';

type CompanyInput = z.output<typeof CompanyInputSchema>;
type ListQuery = z.output<typeof CompanyListQuerySchema>;

export type CompaniesServiceDeps = { db: Kysely<SearchDatabase>; enqueueEmbed: EmbedEnqueuer };

/** The text a company's profile embedding is made from. */
export function profileText(c: {
  name: string;
  description: string;
  industry: string | null;
  region: string | null;
  tags: string[];
}): string {
  return [
    c.name,
    c.industry ? `Industry: ${c.industry}.` : '',
    c.region ? `Region: ${c.region}.` : '',
    c.tags.length ? `Tags: ${c.tags.join(', ')}.` : '',
    c.description,
  ]
    .filter(Boolean)
    .join('\n');
}

const hashOf = (c: CompanyInput) =>
  createHash('sha256')
    .update(profileText({ ...c, industry: c.industry ?? null, region: c.region ?? null }))
    .digest('hex');

const encodeListCursor = (name: string, id: string) =>
  Buffer.from(JSON.stringify([name, id])).toString('base64url');
function decodeListCursor(text: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return value as [string, string];
    }
  } catch {}
  throw new BadRequestError('The cursor is not valid.');
}

export function createCompaniesService(deps: CompaniesServiceDeps) {
  /** Creates, or updates by externalId; a changed profile is embedded again. */
  async function upsert(principal: Principal, input: CompanyInput): Promise<Company> {
    const tenantId = principal.tenantId;
    const hash = hashOf(input);
    const values = {
      tenant_id: tenantId,
      external_id: input.externalId ?? null,
      name: input.name,
      description: input.description,
      industry: input.industry ?? null,
      region: input.region ?? null,
      employees: input.employees ?? null,
      revenue_usd: input.revenueUsd ?? null,
      tags: input.tags,
      profile_hash: hash,
    };
    const { row, reembed } = await withTenant(deps.db, tenantId, async (trx) => {
      const before = input.externalId
        ? await trx
            .selectFrom('search.companies')
            .select(['id', 'profile_hash'])
            .where('tenant_id', '=', tenantId)
            .where('external_id', '=', input.externalId)
            .forUpdate()
            .executeTakeFirst()
        : undefined;
      const changed = before?.profile_hash !== hash;
      const saved = before
        ? await trx
            .updateTable('search.companies')
            .set({
              ...values,
              updated_at: sql<Date>`clock_timestamp()`,
              ...(changed ? { embedding: null, embedding_status: 'queued', error: null } : {}),
            })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', before.id)
            .returning(COMPANY_COLUMNS)
            .executeTakeFirstOrThrow()
        : await trx
            .insertInto('search.companies')
            .values(values)
            .returning(COMPANY_COLUMNS)
            .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: before ? 'company.update' : 'company.create',
        targetIds: [saved.id],
      });
      return { row: saved, reembed: changed };
    });
    if (reembed) await deps.enqueueEmbed(tenantId, 'company', [row.id], principal.requestId);
    return toCompany(row);
  }

  async function get(principal: Principal, id: string): Promise<Company> {
    const row = await withTenant(deps.db, principal.tenantId, (trx) =>
      companiesRepo.findById(trx, principal.tenantId, id),
    );
    if (!row) throw new NotFoundError(`No company ${id}.`);
    return toCompany(row);
  }

  async function list(principal: Principal, query: ListQuery) {
    const after = query.cursor ? decodeListCursor(query.cursor) : null;
    const rows = await withTenant(deps.db, principal.tenantId, (trx) => {
      let q = trx
        .selectFrom('search.companies')
        .select(COMPANY_COLUMNS)
        .where('tenant_id', '=', principal.tenantId);
      if (query.q) q = q.where(sql<boolean>`name ilike ${`%${query.q.replace(/[\\%_]/g, '\\$&')}%`}`);
      if (after) q = q.where(sql<boolean>`(name, id) > (${after[0]}, ${after[1]}::uuid)`);
      return q
        .orderBy('name')
        .orderBy('id')
        .limit(query.limit + 1)
        .execute();
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      companies: page.map(toCompany),
      nextCursor: rows.length > query.limit && last ? encodeListCursor(last.name, last.id) : null,
    };
  }

  async function similar(principal: Principal, id: string, limit: number) {
    return withTenant(deps.db, principal.tenantId, async (trx) => {
      const target = await companiesRepo.findById(trx, principal.tenantId, id);
      if (!target) throw new NotFoundError(`No company ${id}.`);
      const { rows } = await companiesRepo.similar(trx, principal.tenantId, id, limit);
      return { companies: rows.map((r) => ({ company: toCompany(r), similarity: r.similarity })) };
    });
  }

  return { upsert, get, list, similar };
}

export type CompaniesService = ReturnType<typeof createCompaniesService>;
