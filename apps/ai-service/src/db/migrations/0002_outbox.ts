import { outboxMigration } from '@mna/shared/kit';

// Platform events of the AI service (deal.analyzed), written with the analysis' audit row.
export const { up, down } = outboxMigration('ai');
