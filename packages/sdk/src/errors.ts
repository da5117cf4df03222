/** One failed field of a validation problem. */
export type FieldError = { path: string; message: string };

/** RFC 9457 problem details, the error body the platform answers with. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  /**
   * Extension members: `requiredRole`/`requiredScope` on a 403; `checkout`, `plan`, `limit`, `used`,
   * `resetsAt`, `seats` on a 402.
   */
  [extension: string]: unknown;
};

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors']);

/**
 * An error answer of the API (`application/problem+json`), thrown by every client method. Catch the
 * subclass for a status (`NotFoundError`, `RateLimitedError`, …) or switch on `status`.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  readonly errors: FieldError[];
  /** The problem's extension members (what a refused call needs: a role, a scope, a plan, checkout). */
  readonly extensions: Record<string, unknown>;
  /** The platform's `x-request-id` of the failed call: quote it when asking for support. */
  readonly requestId: string | undefined;
  /** Seconds the server asked to wait (`Retry-After`), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Problem, meta: { requestId?: string; retryAfterSeconds?: number } = {}) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = new.target.name;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.errors = problem.errors ?? [];
    this.extensions = Object.fromEntries(Object.entries(problem).filter(([k]) => !STANDARD_MEMBERS.has(k)));
    this.requestId = meta.requestId;
    this.retryAfterSeconds = meta.retryAfterSeconds;
  }
}

/** 400: the request is malformed or fails validation (`errors` names each field). */
export class BadRequestError extends ProblemError {}
/** 401: no valid token. */
export class UnauthorizedError extends ProblemError {}
/** 402: no subscription, more members than seats, or a monthly allowance used up (see `extensions`). */
export class PaymentRequiredError extends ProblemError {}
/** 403: authenticated, but the role, machine scope or plan does not allow this (see `extensions`). */
export class ForbiddenError extends ProblemError {}
/** 404: no such resource in this tenant. */
export class NotFoundError extends ProblemError {}
/** 409: the change conflicts with the resource's state. */
export class ConflictError extends ProblemError {}
/** 422: well-formed, but not processable. */
export class UnprocessableEntityError extends ProblemError {}
/** 429: rate limited; thrown only once the client's retries are used up. */
export class RateLimitedError extends ProblemError {}
/** 501: a feature the deployment has not configured (e.g. billing without Stripe); never retried. */
export class NotConfiguredError extends ProblemError {}
/** 503: a dependency is unavailable; thrown only once the client's retries are used up. */
export class ServiceUnavailableError extends ProblemError {}

const BY_STATUS: Record<
  number,
  new (
    problem: Problem,
    meta?: ConstructorParameters<typeof ProblemError>[1],
  ) => ProblemError
> = {
  400: BadRequestError,
  401: UnauthorizedError,
  402: PaymentRequiredError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitedError,
  501: NotConfiguredError,
  503: ServiceUnavailableError,
};

function asProblem(body: unknown, status: number, statusText: string): Problem {
  const value = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const detail = text(value.detail);
  const instance = text(value.instance);
  return {
    type: text(value.type) ?? 'about:blank',
    title: text(value.title) ?? (statusText || `HTTP ${status}`),
    status,
    ...(detail !== undefined ? { detail } : {}),
    ...(instance !== undefined ? { instance } : {}),
    ...(Array.isArray(value.errors) ? { errors: value.errors } : {}),
    ...Object.fromEntries(
      Object.entries(value).filter(([k, v]) => !STANDARD_MEMBERS.has(k) && v !== undefined),
    ),
  };
}

/** The typed error of a non-2xx answer (problem+json or not). */
export function problemErrorFrom(
  response: { status: number; statusText: string },
  body: unknown,
  meta: { requestId?: string; retryAfterSeconds?: number },
): ProblemError {
  const Type = BY_STATUS[response.status] ?? ProblemError;
  return new Type(asProblem(body, response.status, response.statusText), meta);
}
