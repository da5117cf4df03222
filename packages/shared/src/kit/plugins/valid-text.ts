import fp from 'fastify-plugin';
import { ValidationError } from '../../errors.js';
import { invalidTextFields } from '../../text.js';

/**
 * Every route's parsed params, query string and JSON body are checked for text PostgreSQL cannot
 * store (NUL, lone surrogates) before the route's own schema runs: 400 problem+json naming each
 * field, never a 500 from the database. Raw (Buffer) bodies are left to whoever parses them.
 */
export const validTextPlugin = fp(
  async (app) => {
    app.addHook('preValidation', async (request) => {
      const errors = [
        ...invalidTextFields(request.params, 'params'),
        ...invalidTextFields(request.query, 'querystring'),
        ...invalidTextFields(request.body, 'body'),
      ];
      if (errors.length > 0) {
        throw new ValidationError('The request contains text that cannot be stored.', errors);
      }
    });
  },
  { name: 'mna-valid-text' },
);
