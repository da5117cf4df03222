import { ConflictError, NotFoundError, webhookRoutes } from '@mna/shared';
import { mountRoute, newEventId, type ServiceApp } from '@mna/shared/kit';
import type { Kysely } from 'kysely';
import type { BillingDatabase } from '../../db/schema.js';
import { auditAction } from '../audit/audit.repo.js';
import { exampleEventData } from './delivery.examples.js';
import { type DeliveryQueue, enqueueDelivery, newMessageId } from './delivery.queue.js';
import type { DeliveryRepo } from './delivery.repo.js';
import type { RecoverService } from './recover.service.js';

export type DeliveryRoutesDeps = {
  db: Kysely<BillingDatabase>;
  repo: DeliveryRepo;
  queue: DeliveryQueue;
  recover: RecoverService;
};

/** Deliveries of an endpoint: the attempt log, resend, recovery and the test send. */
export function registerDeliveryRoutes(app: ServiceApp, deps: DeliveryRoutesDeps) {
  const { repo } = deps;
  /** The caller's endpoint (404 for any other tenant's); `enabled` refuses a send to a disabled one. */
  const endpointOf = async (tenantId: string, id: string, need?: 'enabled') => {
    const endpoint = await repo.endpoint(tenantId, id);
    if (!endpoint) throw new NotFoundError('No webhook endpoint with this id.');
    if (need === 'enabled' && endpoint.status !== 'enabled') {
      throw new ConflictError('The endpoint is disabled; enable it before sending to it.');
    }
    return endpoint;
  };

  mountRoute(app, webhookRoutes.listDeliveries, async ({ principal, params, query }) => {
    await endpointOf(principal.tenantId, params.id);
    return repo.list(principal.tenantId, params.id, query);
  });

  mountRoute(app, webhookRoutes.resendMessage, async ({ principal, params }) => {
    await endpointOf(principal.tenantId, params.id, 'enabled');
    const message = await repo.message(principal.tenantId, params.id, params.messageId);
    if (!message) throw new NotFoundError('No message with this id for this endpoint.');
    await enqueueDelivery(deps.queue, { messageId: message.id, trigger: 'manual' });
    await auditAction(deps.db, principal, { action: 'webhooks.message.resend', target: message.id });
    return { messageId: message.id };
  });

  mountRoute(app, webhookRoutes.recover, async ({ principal, params, body }) => {
    await endpointOf(principal.tenantId, params.id, 'enabled');
    const answer = await deps.recover.start(principal.tenantId, params.id, body);
    await auditAction(deps.db, principal, {
      action: 'webhooks.endpoint.recover',
      target: params.id,
      details: { recoveryId: answer.recoveryId, since: body.since, until: body.until ?? null },
    });
    return answer;
  });

  mountRoute(app, webhookRoutes.getRecovery, async ({ principal, params }) => {
    await endpointOf(principal.tenantId, params.id);
    return deps.recover.get(principal.tenantId, params.id, params.recoveryId);
  });

  mountRoute(app, webhookRoutes.testEndpoint, async ({ principal, params, body }) => {
    await endpointOf(principal.tenantId, params.id, 'enabled');
    const event = {
      id: newEventId(),
      type: body.eventType,
      resourceId: `test_${params.id}`,
      data: exampleEventData(body.eventType),
    };
    const messageId = newMessageId();
    await repo.createTestMessage(principal.tenantId, params.id, event, messageId);
    await enqueueDelivery(deps.queue, { messageId });
    await auditAction(deps.db, principal, { action: 'webhooks.endpoint.test', target: params.id });
    return { eventId: event.id, messageId };
  });
}
