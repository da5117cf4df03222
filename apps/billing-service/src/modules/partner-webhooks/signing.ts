import { Webhook } from 'standardwebhooks';

/** One signing secret of an endpoint; `expiresAt` is set on the old secret when it is rotated. */
export type EndpointSecret = { secret: string; createdAt: string; expiresAt: string | null };

/** Secrets that still sign deliveries at `now`: the current one and any old one inside its grace period. */
export const activeSecrets = (secrets: readonly EndpointSecret[], now: Date) =>
  secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime());

/**
 * The Standard Webhooks headers of one delivery: `webhook-signature` carries one `v1,<sig>` per active
 * secret (space-separated), so a receiver that knows either the old or the new secret verifies.
 */
export function signDelivery(input: {
  messageId: string;
  timestamp: Date;
  body: string;
  secrets: readonly EndpointSecret[];
}): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const signatures = input.secrets.map((s) =>
    new Webhook(s.secret).sign(input.messageId, input.timestamp, input.body),
  );
  return {
    'webhook-id': input.messageId,
    'webhook-timestamp': String(Math.floor(input.timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
