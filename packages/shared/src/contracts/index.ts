export * from './ai.js';
export * from './billing.js';
export * from './common.js';
export * from './passages.js';
export * from './route.js';
export * from './search.js';
export * from './webhooks.js';
