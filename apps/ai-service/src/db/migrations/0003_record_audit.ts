import { auditFunctionMigration } from '@mna/shared/kit';

// ai.record_audit: an analysis' audit row and its deal.analyzed event in one round trip.
export const { up, down } = auditFunctionMigration('ai');
