export type { WebhookEventType } from '@mna/shared/contracts/webhooks';
export { WEBHOOK_EVENT_TYPES } from '@mna/shared/contracts/webhooks';
export { type ApiClient, createClient, type RequestOf, type ResponseOf, type RouteMethod } from './client.js';
export {
  BadRequestError,
  ConflictError,
  type FieldError,
  ForbiddenError,
  NotConfiguredError,
  NotFoundError,
  PaymentRequiredError,
  type Problem,
  ProblemError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnprocessableEntityError,
} from './errors.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { API } from './routes.js';
export type { CallOptions, ClientOptions, RetryInfo } from './transport.js';
export {
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhooks.js';
