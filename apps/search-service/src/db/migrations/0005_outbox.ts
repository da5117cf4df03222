import { outboxMigration } from '@mna/shared/kit';

// Platform events of search (document indexed / failed), written with the status change they report.
export const { up, down } = outboxMigration('search');
