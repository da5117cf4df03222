import type { PrincipalInput, WebhookEventType } from '@mna/shared';
import { type AuditEntry, type AuditedEvent, recordStandaloneAudit } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import { SCHEMA } from '../../db/migrations/index.js';
import type { AiDatabase } from '../../db/schema.js';

/**
 * Writes one audit row (tenant, actor, action, target, request id, time), and the outbox event that
 * goes with it if any, as the principal's tenant: one statement, one round trip, one transaction.
 * Every AI operation is a read whose only write is this record.
 */
export const recordAudit = <T extends WebhookEventType>(
  db: Kysely<AiDatabase>,
  principal: PrincipalInput,
  entry: AuditEntry,
  event?: AuditedEvent<T>,
) => recordStandaloneAudit(db, SCHEMA, principal, entry, event);
