import { billingRoutes } from '@mna/shared';
import { mountRoute, type ServiceApp } from '@mna/shared/kit';
import type { WebhooksService } from './webhooks.service.js';

const WEBHOOK_BODY_LIMIT = 512 * 1024;

/**
 * POST /webhooks/stripe, in its own encapsulated context: the content-type parser that keeps the raw
 * bytes (the signature covers them exactly) applies to this route only.
 */
export function registerWebhookRoutes(app: ServiceApp, deps: { webhooks: WebhooksService }) {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    mountRoute(scope as unknown as ServiceApp, billingRoutes.stripeWebhook, ({ request }) => {
      const signature = request.headers['stripe-signature'];
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return deps.webhooks.receive(raw, typeof signature === 'string' ? signature : undefined);
    });
  });
}
