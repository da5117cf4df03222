export * from './anthropic-fake.js';
export * from './database.js';
export * from './fake-server.js';
export * from './foundation-suite.js';
export * from './logs.js';
export * from './redis.js';
export * from './tokens.js';
