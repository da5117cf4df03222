import { randomUUID } from 'node:crypto';
import { WEBHOOK_EVENT_DATA, type WebhookEventType } from '@mna/shared';

/** Example `data` of each event type, as the test send delivers it (checked against the type's schema). */
export function exampleEventData(type: WebhookEventType): Record<string, unknown> {
  const subscription = {
    subscriptionId: 'sub_example',
    plan: 'growth',
    status: type === 'subscription.canceled' ? 'canceled' : 'active',
    interval: 'month',
    currency: 'usd',
    currentPeriodEnd: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    cancelAtPeriodEnd: false,
  };
  const invoice = {
    invoiceId: 'in_example',
    subscriptionId: 'sub_example',
    status: type === 'invoice.paid' ? 'paid' : 'open',
    currency: 'usd',
    amountDue: 79_800,
    amountPaid: type === 'invoice.paid' ? 79_800 : 0,
  };
  const examples: Record<WebhookEventType, Record<string, unknown>> = {
    'document.indexed': {
      documentId: randomUUID(),
      externalId: 'example-1',
      title: 'Example: Project Atlas teaser',
      status: 'indexed',
      chunkCount: 12,
    },
    'document.failed': {
      documentId: randomUUID(),
      externalId: 'example-1',
      title: 'Example: Project Atlas teaser',
      status: 'failed',
      error: 'example failure',
    },
    'deal.analyzed': {
      analysisId: 'ana_example',
      target: 'Example Robotics GmbH',
      recommendation: 'proceed_with_conditions',
      confidence: 0.72,
      provider: 'local',
    },
    'subscription.created': subscription,
    'subscription.updated': subscription,
    'subscription.canceled': subscription,
    'invoice.payment_failed': invoice,
    'invoice.paid': invoice,
  };
  return WEBHOOK_EVENT_DATA[type].parse(examples[type]) as Record<string, unknown>;
}
