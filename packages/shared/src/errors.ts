import { z } from 'zod';

/** RFC 9457 problem details, the one error body every service and the gateway answer with. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('Validation failures, one per offending field'),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://docs.mna.dev/problems/';

export type FieldError = { path: string; message: string };

/** A problem's `instance`: a URI naming the request (RFC 9457 asks for a URI reference). */
export const problemInstance = (requestId: string) => `urn:request:${requestId}`;

type AppErrorOptions = {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** RFC 9457 extension members (e.g. the role or plan a caller needs), added to the problem body. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
};

/** Base of every error the services throw on purpose; the error plugin turns it into problem+json. */
export class AppError extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;
  readonly extensions?: Record<string, unknown>;

  constructor(status: number, slug: string, title: string, options: AppErrorOptions = {}) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.slug = slug;
    this.title = title;
    if (options.errors) this.errors = options.errors;
    this.headers = options.headers ?? {};
    if (options.extensions) this.extensions = options.extensions;
  }

  /** The problem body; `requestId` becomes its `instance` URI (`urn:request:<id>`). */
  toProblem(requestId?: string): Problem {
    return {
      ...this.extensions,
      type: TYPE_BASE + this.slug,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(requestId ? { instance: problemInstance(requestId) } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export class ValidationError extends AppError {
  constructor(detail: string, errors: FieldError[] = []) {
    super(400, 'validation', 'Invalid request', { detail, errors });
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string) {
    super(400, 'bad-request', 'Bad request', { detail });
  }
}

export class UnauthorizedError extends AppError {
  /** `wwwAuthenticate`: the challenge (RFC 6750), e.g. with `resource_metadata` (RFC 9728). */
  constructor(detail = 'Authentication is required to access this resource.', wwwAuthenticate = 'Bearer') {
    super(401, 'unauthorized', 'Unauthorized', { detail, headers: { 'www-authenticate': wwwAuthenticate } });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super(403, 'forbidden', 'Forbidden', { detail, ...(extensions ? { extensions } : {}) });
  }
}

/** The tenant's plan (or lack of one) does not pay for this call; the body names what would. */
export class PaymentRequiredError extends AppError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super(402, 'payment-required', 'Payment required', { detail, ...(extensions ? { extensions } : {}) });
  }
}

/** A known path asked with a method it does not serve; `Allow` lists those it does. */
export class MethodNotAllowedError extends AppError {
  constructor(method: string, allowed: string[]) {
    super(405, 'method-not-allowed', 'Method not allowed', {
      detail: `${method} is not allowed here; use ${allowed.join(', ')}.`,
      headers: { allow: allowed.join(', ') },
    });
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'The requested resource does not exist.') {
    super(404, 'not-found', 'Not found', { detail });
  }
}

export class ConflictError extends AppError {
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', { detail });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail = 'The request body is larger than this route accepts.') {
    super(413, 'payload-too-large', 'Payload too large', { detail });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail = 'This content type is not supported here; send application/json.') {
    super(415, 'unsupported-media-type', 'Unsupported media type', { detail });
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, detail = 'Too many requests; retry after the indicated delay.') {
    super(429, 'rate-limited', 'Too many requests', {
      detail,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

/** A dependency answered with something unusable (malformed, schema-violating). */
export class UpstreamError extends AppError {
  constructor(detail: string, cause?: unknown) {
    super(502, 'upstream', 'Bad gateway', { detail, cause });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string, retryAfterSeconds?: number) {
    super(503, 'unavailable', 'Service unavailable', {
      detail,
      ...(retryAfterSeconds !== undefined
        ? { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } }
        : {}),
    });
  }
}

/**
 * A feature this deployment has not configured (a missing setting, named in the detail): 501 with its
 * own type, so clients can tell it from an outage (503) and never retry it.
 */
export class NotConfiguredError extends AppError {
  constructor(detail: string) {
    super(501, 'not-configured', 'Not configured', { detail });
  }
}

export class GatewayTimeoutError extends AppError {
  constructor(detail = 'The upstream service did not answer in time.') {
    super(504, 'timeout', 'Gateway timeout', { detail });
  }
}

/** Converts zod issues into the `errors[]` member of a validation problem. */
export function fieldErrorsFromZod(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): FieldError[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}
