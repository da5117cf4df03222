import { NotConfiguredError } from '@mna/shared';
import Stripe from 'stripe';
import type { BillingConfig } from '../config.js';

export type StripeClient = Stripe;
export type StripeSettings = Pick<
  BillingConfig,
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_API_HOST'
  | 'STRIPE_API_PORT'
  | 'STRIPE_API_PROTOCOL'
  | 'STRIPE_MAX_NETWORK_RETRIES'
>;

/** The real Stripe SDK, or null without a key (the embedded default). Host settings exist for fakes. */
export function createStripeClient(settings: StripeSettings): Stripe | null {
  if (!settings.STRIPE_SECRET_KEY) return null;
  return new Stripe(settings.STRIPE_SECRET_KEY, {
    maxNetworkRetries: settings.STRIPE_MAX_NETWORK_RETRIES,
    timeout: 20_000,
    appInfo: { name: 'mna-billing-service' },
    ...(settings.STRIPE_API_HOST ? { host: settings.STRIPE_API_HOST } : {}),
    ...(settings.STRIPE_API_PORT ? { port: settings.STRIPE_API_PORT } : {}),
    ...(settings.STRIPE_API_PROTOCOL ? { protocol: settings.STRIPE_API_PROTOCOL } : {}),
  });
}

/** The client, or the 501 problem that names the missing setting. */
export function requireStripe(stripe: Stripe | null): Stripe {
  if (!stripe) {
    throw new NotConfiguredError('Billing is not configured: STRIPE_SECRET_KEY is not set.');
  }
  return stripe;
}

/** The id of an expandable Stripe field. */
export const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === 'string' ? value : value.id;
