export * from './db.js';
export * from './plugins/errors.js';
export type { ReadinessCheck } from './plugins/health.js';
export { genRequestId, REQUEST_ID_HEADER } from './plugins/request-id.js';
export * from './redis.js';
export * from './routes.js';
export * from './run.js';
export * from './service-app.js';
