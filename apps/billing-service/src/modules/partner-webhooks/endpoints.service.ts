import { randomBytes } from 'node:crypto';
import {
  NotFoundError,
  type Principal,
  ValidationError,
  type WebhookEndpointHealth,
  type webhookRoutes,
} from '@mna/shared';
import type { AuditEntry } from '@mna/shared/kit';
import type { z } from 'zod';
import type { WebhookSecret } from '../../db/schema.js';
import type { Trx } from '../../db/scope.js';
import { insertAudit } from '../audit/audit.repo.js';
import {
  type EndpointChanges,
  type EndpointCursor,
  type EndpointRow,
  type EndpointsRepo,
  toEndpoint,
} from './endpoints.repo.js';
import type { Clock } from './schedule.js';
import { activeSecrets } from './signing.js';
import type { UrlGuard } from './url-guard.js';

type CreateBody = z.output<typeof webhookRoutes.createEndpoint.body>;
type UpdateBody = z.output<typeof webhookRoutes.updateEndpoint.body>;

/** `whsec_` + base64 of 32 random bytes (the Standard Webhooks secret format). */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Health from the endpoint row alone; the delivery module supplies the measured one. */
export const healthFromRow = async (row: EndpointRow): Promise<WebhookEndpointHealth> => ({
  successRate1h: null,
  successRate24h: null,
  p95LatencyMs1h: null,
  p95LatencyMs24h: null,
  consecutiveFailures: row.consecutive_failures,
  firstFailureAt: row.first_failure_at?.toISOString() ?? null,
});

const encodeCursor = (row: EndpointRow & { position: string }) =>
  Buffer.from(JSON.stringify({ createdAt: row.position, id: row.id })).toString('base64url');

function decodeCursor(cursor: string | undefined): EndpointCursor | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as EndpointCursor;
    if (typeof value.id === 'string' && !Number.isNaN(Date.parse(value.createdAt))) return value;
  } catch {}
  throw new ValidationError('The cursor is not one this API issued.', [
    { path: 'querystring.cursor', message: 'invalid cursor' },
  ]);
}

export type EndpointsServiceDeps = {
  repo: EndpointsRepo;
  urlGuard: UrlGuard;
  clock: Clock;
  /** How long a rotated-out secret keeps signing (config WEBHOOK_SECRET_GRACE_HOURS). */
  secretGraceMs: number;
  health?: (row: EndpointRow) => Promise<WebhookEndpointHealth>;
};

/**
 * Partner webhook endpoints: registration with a URL check and a secret shown once, edits, rotation
 * with a grace period. Every change writes its audit row in the same tenant transaction.
 */
export function createEndpointsService(deps: EndpointsServiceDeps) {
  const { repo } = deps;
  const health = deps.health ?? healthFromRow;

  /** Runs a change on one of the tenant's endpoints (locked), audits it; 404 when it is not theirs. */
  const change = <T>(
    principal: Principal,
    id: string,
    action: string,
    fn: (trx: Trx, row: EndpointRow) => Promise<{ result: T; details?: AuditEntry['details'] }>,
  ) =>
    repo.inTenant(principal.tenantId, async (trx) => {
      const row = await repo.find(trx, principal.tenantId, id, true);
      if (!row) throw new NotFoundError('No webhook endpoint with this id.');
      const { result, details } = await fn(trx, row);
      await insertAudit(trx, principal, { action, target: id, ...(details ? { details } : {}) });
      return result;
    });

  const updated = async (trx: Trx, principal: Principal, id: string, changes: EndpointChanges) => {
    const row = await repo.update(trx, principal.tenantId, id, changes);
    if (!row) throw new NotFoundError('No webhook endpoint with this id.');
    return row;
  };

  return {
    async create(principal: Principal, body: CreateBody) {
      await deps.urlGuard.assertAllowed(body.url);
      const secret: WebhookSecret = {
        secret: newSigningSecret(),
        createdAt: deps.clock.now().toISOString(),
        expiresAt: null,
      };
      return repo.inTenant(principal.tenantId, async (trx) => {
        const row = await repo.insert(trx, {
          tenantId: principal.tenantId,
          url: body.url,
          description: body.description,
          events: body.events,
          secret,
        });
        await insertAudit(trx, principal, {
          action: 'webhooks.endpoint.create',
          target: row.id,
          details: { url: row.url, events: row.event_types },
        });
        return { ...toEndpoint(row), secret: secret.secret };
      });
    },

    async list(tenantId: string, query: { cursor?: string | undefined; limit: number }) {
      const after = decodeCursor(query.cursor);
      const rows = await repo.inTenant(tenantId, (trx) => repo.page(trx, tenantId, query.limit, after));
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        endpoints: page.map(toEndpoint),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
      };
    },

    async get(tenantId: string, id: string) {
      const row = await repo.inTenant(tenantId, (trx) => repo.find(trx, tenantId, id));
      if (!row) throw new NotFoundError('No webhook endpoint with this id.');
      return { ...toEndpoint(row), health: await health(row) };
    },

    async update(principal: Principal, id: string, body: UpdateBody) {
      if (body.url !== undefined) await deps.urlGuard.assertAllowed(body.url);
      return change(principal, id, 'webhooks.endpoint.update', async (trx) => {
        const row = await updated(trx, principal, id, {
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.events !== undefined ? { event_types: body.events } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
        });
        return { result: toEndpoint(row), details: { changed: Object.keys(body) } };
      });
    },

    disable: (principal: Principal, id: string) =>
      change(principal, id, 'webhooks.endpoint.disable', async (trx) => ({
        result: toEndpoint(
          await updated(trx, principal, id, {
            status: 'disabled',
            disabled_reason: 'disabled by the tenant',
          }),
        ),
      })),

    /** Enabling starts the failure count afresh (the automatic disable counts continuous failure). */
    enable: (principal: Principal, id: string) =>
      change(principal, id, 'webhooks.endpoint.enable', async (trx) => ({
        result: toEndpoint(
          await updated(trx, principal, id, {
            status: 'enabled',
            disabled_reason: null,
            consecutive_failures: 0,
            first_failure_at: null,
            disable_warned_at: null,
          }),
        ),
      })),

    delete: (principal: Principal, id: string) =>
      change(principal, id, 'webhooks.endpoint.delete', async (trx, row) => {
        await repo.delete(trx, principal.tenantId, id);
        return { result: undefined, details: { url: row.url } };
      }),

    /**
     * A new current secret; the previous current one signs too until now + grace. Secrets whose grace
     * has already ended are dropped, so at most the new one and the ones still in grace remain.
     */
    rotateSecret: (principal: Principal, id: string) =>
      change(principal, id, 'webhooks.endpoint.rotate_secret', async (trx, row) => {
        const now = deps.clock.now();
        const expiresAt = new Date(now.getTime() + deps.secretGraceMs).toISOString();
        const kept = activeSecrets(row.secrets, now).map((s) =>
          s.expiresAt === null ? { ...s, expiresAt } : s,
        );
        const secret: WebhookSecret = {
          secret: newSigningSecret(),
          createdAt: now.toISOString(),
          expiresAt: null,
        };
        await updated(trx, principal, id, { secrets: [secret, ...kept] });
        return {
          result: { secret: secret.secret, previousSecretExpiresAt: expiresAt },
          details: { previousSecretExpiresAt: expiresAt },
        };
      }),
  };
}
export type EndpointsService = ReturnType<typeof createEndpointsService>;
