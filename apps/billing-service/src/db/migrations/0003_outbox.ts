import { outboxMigration } from '@mna/shared/kit';
import { BILLING_SYSTEM_SCOPE } from '../scope.js';

// Platform events of billing (subscription and invoice changes), written with the change they report.
// Billing records them in its system scope (the Stripe worker), so the outbox admits that scope too.
export const { up, down } = outboxMigration('billing', BILLING_SYSTEM_SCOPE);
