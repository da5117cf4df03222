import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import {
  AppError,
  BadRequestError,
  NotFoundError,
  PayloadTooLargeError,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  problemInstance,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../errors.js';
import { isDatabaseBusy, isRetryableTransactionError } from '../db.js';

const FASTIFY_CODES: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new PayloadTooLargeError(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new UnsupportedMediaTypeError(),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new BadRequestError('The Content-Length header does not match the body.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new BadRequestError('The JSON body is empty.'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new BadRequestError('The body is not valid JSON.'),
};

/** Maps anything thrown in a request to a typed AppError; unknown errors become a bare 500. */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const err = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({
      path: [err.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return new ValidationError('The request did not match the expected schema.', errors);
  }
  if (err.code && FASTIFY_CODES[err.code]) return FASTIFY_CODES[err.code]!();
  if (isDatabaseBusy(err)) return new ServiceUnavailableError('The database is busy; retry shortly.', 1);
  // Still conflicting after the transaction helper's retries: contention, not a fault of the request.
  if (isRetryableTransactionError(err)) {
    return new ServiceUnavailableError('Concurrent changes to the same data collided; retry shortly.', 1);
  }
  if (err instanceof SyntaxError && err.statusCode === 400)
    return new BadRequestError('The body is not valid JSON.');
  if (!isResponseSerializationError(err) && err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError(err.statusCode, 'client-error', 'Bad request', { detail: err.message });
  }
  return null;
}

export function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}) {
  return reply.code(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Every error, Fastify's own included, leaves as problem+json with the request id; never a stack. */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const appError = toAppError(error);
      if (appError) {
        if (appError.status >= 500) request.log.error({ err: error }, appError.message);
        return sendProblem(reply, appError.toProblem(request.id), appError.headers);
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(reply, {
        type: 'https://docs.mna.dev/problems/internal',
        title: 'Internal server error',
        status: 500,
        detail: 'An unexpected error occurred. Quote the instance id when reporting it.',
        instance: problemInstance(request.id),
      });
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        new NotFoundError(`No route ${request.method} ${request.url.split('?')[0]}.`).toProblem(request.id),
      ),
    );
  },
  { name: 'mna-errors' },
);
