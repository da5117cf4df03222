import type { z } from 'zod';
import type { Entitlements, Feature } from '../plans.js';
import type { RouteAccess } from './access.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route at the gateway: a Clerk session, a session or a machine (M2M) token,
 * anyone (public), or only other services (internal, never exposed by the gateway).
 */
export type RouteAuth = 'session' | 'session-or-machine' | 'public' | 'internal';

/** One HTTP route: the single source of its shapes for Fastify, OpenAPI, the gateway and clients. */
export type RouteContract = {
  method: HttpMethod;
  /** Fastify-style path, `:param` for parameters. */
  path: string;
  summary: string;
  auth: RouteAuth;
  /** Entitlement the tenant's plan must include. */
  feature?: Feature;
  /** Who may call it (role of a session, scope of a machine); required on every routed, non-public route. */
  access?: RouteAccess;
  /** A monthly entitlement each accepted call uses up (counted per tenant and billing period). */
  quota?: Extract<keyof Entitlements, 'aiAnalysesPerMonth'>;
  params?: z.ZodObject;
  querystring?: z.ZodObject;
  body?: z.ZodType;
  /** Response schemas by status; error statuses are problem+json and need not be listed. */
  response: Partial<Record<200 | 201 | 202 | 204, z.ZodType>>;
};

/** Declares a route contract, keeping its literal types for inference. */
export const defineRoute = <const R extends RouteContract>(route: R): R => route;

/** The body type a route's first success status answers with. */
export type ResponseOf<R extends RouteContract> = R['response'] extends { 200: infer S extends z.ZodType }
  ? z.output<S>
  : R['response'] extends { 201: infer S extends z.ZodType }
    ? z.output<S>
    : R['response'] extends { 202: infer S extends z.ZodType }
      ? z.output<S>
      : undefined;

export type BodyOf<R extends RouteContract> = R['body'] extends z.ZodType ? z.input<R['body']> : undefined;
export type ParamsOf<R extends RouteContract> = R['params'] extends z.ZodObject
  ? z.input<R['params']>
  : undefined;
export type QueryOf<R extends RouteContract> = R['querystring'] extends z.ZodObject
  ? z.input<R['querystring']>
  : undefined;
