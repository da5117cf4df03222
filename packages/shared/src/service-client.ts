import { Pool, errors as undiciErrors } from 'undici';
import type { z } from 'zod';
import { buildPath, toQueryString } from './contracts/request-url.js';
import type { BodyOf, ParamsOf, QueryOf, ResponseOf, RouteContract } from './contracts/route.js';
import {
  AppError,
  GatewayTimeoutError,
  ProblemSchema,
  ServiceUnavailableError,
  UpstreamError,
} from './errors.js';
import { INTERNAL_TOKEN_HEADER, type PrincipalInput } from './internal-auth.js';
import { createInternalTokenCache } from './internal-token-cache.js';

export { buildPath };

export type ServiceClientSettings = {
  /** Name of the called service, for error messages. */
  service: string;
  baseUrl: string;
  internalTokenSecret: string;
  timeoutMs?: number;
  connections?: number;
};

export type CallInput<R extends RouteContract> = {
  principal: PrincipalInput;
  timeoutMs?: number;
} & (ParamsOf<R> extends undefined ? { params?: undefined } : { params: ParamsOf<R> }) &
  (QueryOf<R> extends undefined ? { query?: undefined } : { query?: QueryOf<R> }) &
  (BodyOf<R> extends undefined ? { body?: undefined } : { body: BodyOf<R> });

/**
 * A typed client for one service, built from the shared route contracts: every call carries an
 * internal token for its principal (one signed token reused for 10 s of its 30 s life, as the
 * gateway does), has a timeout, and returns the response parsed by the contract's schema. The
 * callee's problem+json 4xx comes back as the same AppError; its 5xx, a timeout or a refused
 * connection as 502/504/503.
 */
export function createServiceClient(settings: ServiceClientSettings) {
  const pool = new Pool(settings.baseUrl, { connections: settings.connections ?? 32, pipelining: 1 });
  const defaultTimeout = settings.timeoutMs ?? 5_000;
  const tokenFor = createInternalTokenCache({
    secret: settings.internalTokenSecret,
    ttlSeconds: 30,
    reuseMs: 10_000,
    maxEntries: 10_000,
  });

  async function call<R extends RouteContract>(route: R, input: CallInput<R>): Promise<ResponseOf<R>> {
    const token = await tokenFor(input.principal);
    const timeout = input.timeoutMs ?? defaultTimeout;
    const path =
      buildPath(route.path, input.params as Record<string, unknown> | undefined) +
      toQueryString(input.query as Record<string, unknown> | undefined);
    const headers: Record<string, string> = {
      [INTERNAL_TOKEN_HEADER]: token,
      'x-request-id': input.principal.requestId,
      accept: 'application/json',
    };
    let body: string | undefined;
    if (input.body !== undefined) {
      body = JSON.stringify(input.body);
      headers['content-type'] = 'application/json';
    }
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        method: route.method,
        path,
        headers,
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
    } catch (error) {
      const timedOut =
        error instanceof undiciErrors.HeadersTimeoutError ||
        error instanceof undiciErrors.BodyTimeoutError ||
        (error as Error).name === 'TimeoutError' ||
        (error as Error).name === 'AbortError';
      if (timedOut) throw new GatewayTimeoutError(`${settings.service} did not answer within ${timeout} ms.`);
      throw new ServiceUnavailableError(`${settings.service} is unreachable.`, 5);
    }
    const text = await response.body.text();
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      const schema = (route.response as Record<number, z.ZodType | undefined>)[status];
      if (status === 204 || !schema) return undefined as ResponseOf<R>;
      const parsed = schema.safeParse(text ? JSON.parse(text) : undefined);
      if (!parsed.success)
        throw new UpstreamError(`${settings.service} answered outside its contract.`, parsed.error);
      return parsed.data as ResponseOf<R>;
    }
    const problem = ProblemSchema.safeParse(safeJson(text));
    if (status >= 400 && status < 500 && problem.success) {
      throw new AppError(status, problem.data.type.split('/').pop() ?? 'client-error', problem.data.title, {
        ...(problem.data.detail ? { detail: problem.data.detail } : {}),
        ...(problem.data.errors ? { errors: problem.data.errors } : {}),
      });
    }
    if (status === 503) throw new ServiceUnavailableError(`${settings.service} is unavailable.`, 5);
    throw new UpstreamError(`${settings.service} answered ${status}.`);
  }

  return { call, close: () => pool.close() };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type ServiceClient = ReturnType<typeof createServiceClient>;
