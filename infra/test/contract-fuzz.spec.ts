import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../bench/platform/stack.js';
import {
  nearMiss,
  type OpenApiDocument,
  parameter,
  type Schema,
  toJson,
  valid,
} from './support/openapi-arbitraries.js';

// Fuzzing from the contract: for every operation of the gateway's OpenAPI document, requests built from
// its schemas and near misses of them (wrong types, huge strings, NUL bytes and lone surrogates, deep
// nesting, unknown and missing fields, broken JSON, bad path and query values), sent through the gateway
// to the real services (their own processes, on real Postgres and Redis). No answer may be 5xx, and
// every request must be answered. FUZZ_RUNS (per operation) scales the run; FUZZ_SEED replays one.

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** Far above any route's own answer time: a request still unanswered then has hung. */
const HANG_MS = 20_000;

let stack: Stack;
let doc: OpenApiDocument;
const statuses = new Map<number, number>();
let cases = 0;

beforeAll(async () => {
  // No workers: the jobs requests enqueue are not what is fuzzed, and three fewer processes boot.
  stack = await startStack({ tenants: 3, workers: false });
  const res = await request(`${stack.gatewayUrl}/docs/openapi.json`);
  doc = (await res.body.json()) as OpenApiDocument;
}, 180_000);
afterAll(async () => {
  console.log(
    `contract fuzz: ${cases} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
  );
  await stack?.stop();
}, 60_000);

/** Percent-encodes the UTF-8 bytes of a value (a lone surrogate becomes U+FFFD's bytes, as a client's would). */
const encode = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** One request; `tenant` indexes the stack's tenants (a token in a counterexample would only be noise). */
type Built = { url: string; body?: string; contentType?: string; tenant: number };

function requestsFor(path: string, operation: Schema): fc.Arbitrary<Built> {
  const params: Schema[] = operation.parameters ?? [];
  const inPath = params.filter((p) => p.in === 'path');
  const inQuery = params.filter((p) => p.in === 'query');
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema as Schema | undefined;
  const body: fc.Arbitrary<{ body?: string; contentType?: string }> = bodySchema
    ? fc.oneof(
        { weight: 2, arbitrary: valid(bodySchema, doc).map((v) => ({ body: JSON.stringify(v) })) },
        { weight: 5, arbitrary: nearMiss(valid(bodySchema, doc)).map((v) => ({ body: toJson(v) })) },
        {
          weight: 1,
          arbitrary: fc.record({
            body: fc.constantFrom('', 'not json', '{"a":', '[', '{"query":"\\u0000"}', '\u0000'),
            contentType: fc.constantFrom(
              'application/json',
              'text/plain',
              'application/x-www-form-urlencoded',
            ),
          }),
        },
      )
    : fc.constant({});
  return fc
    .record({
      path: fc.tuple(...inPath.map((p) => parameter(p.schema, doc))),
      query: fc.tuple(...inQuery.map((p) => fc.option(parameter(p.schema, doc), { nil: undefined }))),
      extra: fc.option(fc.constantFrom('unknown=1', 'limit=1&limit=2', 'q=%00', 'cursor=%ED%A0%80'), {
        nil: undefined,
      }),
      body,
      tenant: fc.nat({ max: stack.tenants.length - 1 }),
    })
    .map(({ path: values, query, extra, body, tenant }) => {
      let url = path;
      inPath.forEach((p, i) => {
        url = url.replace(`{${p.name}}`, encode(values[i]!));
      });
      const pairs = inQuery.flatMap((p, i) =>
        query[i] === undefined ? [] : [`${p.name}=${encode(query[i]!)}`],
      );
      if (extra) pairs.push(extra);
      return { url: pairs.length > 0 ? `${url}?${pairs.join('&')}` : url, tenant, ...body };
    });
}

async function send(method: string, built: Built) {
  const hasBody = built.body !== undefined && method !== 'GET' && method !== 'DELETE';
  const res = await request(`${stack.gatewayUrl}${built.url}`, {
    method: method.toUpperCase() as 'GET',
    headers: {
      authorization: `Bearer ${stack.tenants[built.tenant]!.token}`,
      ...(hasBody ? { 'content-type': built.contentType ?? 'application/json' } : {}),
    },
    ...(hasBody ? { body: built.body } : {}),
    headersTimeout: HANG_MS,
    bodyTimeout: HANG_MS,
  });
  // An event stream (MCP's GET) stays open by design: its headers are the answer.
  let text = '';
  if (String(res.headers['content-type']).includes('event-stream')) res.body.destroy();
  else text = await res.body.text();
  cases++;
  statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  return { status: res.statusCode, text };
}

describe('fuzzing every route of the OpenAPI document through the gateway', () => {
  it('answers every generated request, and never with a 5xx', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const { path, method, operation } of operations) {
      await fc.assert(
        fc.asyncProperty(requestsFor(path, operation), async (built) => {
          const { status, text } = await send(method, built);
          if (status >= 500) {
            throw new Error(`${method.toUpperCase()} ${built.url} answered ${status}: ${text.slice(0, 300)}`);
          }
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
      );
    }
    // The circuits stayed closed: every tenant still reaches search.
    for (const tenant of stack.tenants.keys()) {
      const res = await send('get', { url: '/v1/companies?limit=1', tenant });
      expect(res.status).toBe(200);
    }
  }, 300_000);
});
