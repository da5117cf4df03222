import { loadConfigOrExit } from '@mna/shared';
import { configSpec } from '../src/config.js';
import { syncCatalog } from '../src/modules/catalog/catalog.sync.js';
import { createStripeClient } from '../src/stripe/stripe.client.js';

// `pnpm billing:sync-catalog`: creates or updates the catalog's products and prices in Stripe.
const config = loadConfigOrExit(configSpec, process.env);
const stripe = createStripeClient(config);
if (!stripe) {
  process.stderr.write('billing:sync-catalog needs STRIPE_SECRET_KEY\n');
  process.exit(1);
}
const report = await syncCatalog(stripe);
const count = (o: Record<string, string>, v: string) => Object.values(o).filter((x) => x === v).length;
console.log(
  `products: ${count(report.products, 'created')} created, ${count(report.products, 'updated')} updated, ${count(report.products, 'unchanged')} unchanged`,
);
console.log(
  `prices: ${count(report.prices, 'created')} created, ${count(report.prices, 'updated')} updated, ${count(report.prices, 'unchanged')} unchanged; archived ${report.archived.length}`,
);
