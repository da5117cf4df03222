import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { BillingDatabase } from '../../db/schema.js';
import { asSystem } from '../../db/scope.js';
import { idOf } from '../../stripe/stripe.client.js';
import { subscriptionsRepo } from './subscriptions.repo.js';
import type { SyncCustomer } from './subscriptions.sync.js';

export type ReconcileReport = {
  customers: number;
  synced: number;
  failed: Array<{ customer: string; error: string }>;
};

/**
 * Re-syncs every customer's subscription from Stripe: the customers we know, and every customer
 * Stripe has a subscription for (which catches a lost checkout event). Safe to run at any time.
 */
export async function reconcileAll(deps: {
  db: Kysely<BillingDatabase>;
  stripe: Stripe;
  sync: SyncCustomer;
}): Promise<ReconcileReport> {
  const customers = new Set(await asSystem(deps.db, (trx) => subscriptionsRepo.allCustomerIds(trx)));
  for await (const sub of deps.stripe.subscriptions.list({ status: 'all', limit: 100 })) {
    const id = idOf(sub.customer);
    if (id) customers.add(id);
  }
  const report: ReconcileReport = { customers: customers.size, synced: 0, failed: [] };
  for (const customer of customers) {
    try {
      if (await deps.sync(customer)) report.synced += 1;
    } catch (error) {
      report.failed.push({ customer, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}
