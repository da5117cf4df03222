import {
  type WebhookEnvelope,
  WebhookEnvelopeSchema,
  type WebhookEventData,
  type WebhookEventType,
} from '@mna/shared/contracts/webhooks';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export { WebhookVerificationError };

/** A delivered event, its `data` typed by its `type`; endpoint notices carry a plain record. */
export type WebhookEvent =
  | {
      [T in WebhookEventType]: Omit<WebhookEnvelope, 'type' | 'data'> & {
        type: T;
        data: WebhookEventData<T>;
      };
    }[WebhookEventType]
  | (Omit<WebhookEnvelope, 'type'> & { type: Exclude<WebhookEnvelope['type'], WebhookEventType> });

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function pickHeaders(headers: WebhookHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  const read =
    typeof (headers as Headers).get === 'function'
      ? (name: string) => (headers as Headers).get(name) ?? undefined
      : (name: string) => {
          const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
          return Array.isArray(entry) ? entry.join(' ') : entry;
        };
  for (const name of HEADERS) {
    const value = read(name);
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * Verifies a delivery per the Standard Webhooks specification (HMAC-SHA256 of `id.timestamp.body`
 * with the endpoint's `whsec_` secret, any of the `v1,` signatures, timestamp within 5 minutes) and
 * returns the event. Pass the raw body exactly as received. Throws `WebhookVerificationError`.
 */
export function verifyWebhook(payload: string, headers: WebhookHeaders, secret: string): WebhookEvent {
  const verified = new Webhook(secret).verify(payload, pickHeaders(headers));
  const envelope = WebhookEnvelopeSchema.safeParse(verified);
  if (!envelope.success) throw new WebhookVerificationError('Signed payload is not a platform event');
  return envelope.data as WebhookEvent;
}
