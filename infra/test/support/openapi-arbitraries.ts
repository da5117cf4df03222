import fc from 'fast-check';

// fast-check arbitraries from the gateway's OpenAPI document: values its JSON Schemas accept, and
// near misses of them (wrong types, huge strings, NUL bytes and lone surrogates, deep nesting, unknown
// fields, missing ones). Covers the keywords zod's toJSONSchema emits for the contracts.

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema as read from the document
export type Schema = Record<string, any>;
export type OpenApiDocument = { paths: Record<string, Record<string, Schema>>; components?: Schema };

const LONG = 40;

function resolve(schema: Schema, doc: OpenApiDocument): Schema {
  if (typeof schema.$ref !== 'string') return schema;
  const name = schema.$ref.split('/').pop()!;
  return doc.components?.schemas?.[name] ?? {};
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? LONG, LONG));
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'email':
      return fc.emailAddress();
    case 'uri':
    case 'url':
      return fc.constantFrom('https://example.com/hook', 'https://app.mna.test/return');
  }
  if (typeof schema.pattern === 'string') {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max);
  }
  return fc.oneof(
    fc.string({ minLength: min, maxLength: max }),
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }),
  );
}

function numberOf(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1e6);
  const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1e9);
  if (integer) return fc.integer({ min: Math.ceil(low), max: Math.floor(high) });
  return fc.double({ min: low, max: high, noNaN: true, noDefaultInfinity: true });
}

/** Values the schema accepts (bounded in size so a run stays quick). */
export function valid(schema: Schema, doc: OpenApiDocument, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (Array.isArray(union)) return fc.oneof(...union.map((u: Schema) => valid(u, doc, depth)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return numberOf(s, true);
    case 'number':
      return numberOf(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.max(min, Math.min(s.maxItems ?? 4, 4));
      return fc.array(valid(s.items ?? {}, doc, depth + 1), { minLength: min, maxLength: max });
    }
    case 'object':
      return objectOf(s, doc, depth);
  }
  if (s.properties) return objectOf(s, doc, depth);
  return fc.jsonValue({ maxDepth: 2 });
}

function objectOf(s: Schema, doc: OpenApiDocument, depth: number): fc.Arbitrary<unknown> {
  const properties: Record<string, Schema> = s.properties ?? {};
  if (Object.keys(properties).length === 0 && s.additionalProperties && depth < 3) {
    const values = s.additionalProperties === true ? {} : s.additionalProperties;
    const keys = s.propertyNames ? (valid(s.propertyNames, doc) as fc.Arbitrary<string>) : fc.string();
    return fc.dictionary(keys, valid(values, doc, depth + 1), { maxKeys: 3 });
  }
  // Optional fields only now and then: each one is another chance for a value the service refuses
  // early (a random cursor, say), and the request would never reach the code behind it.
  const required = new Set<string>(s.required ?? []);
  const shape = Object.fromEntries(
    Object.entries(properties).map(([k, v]) => {
      const value = valid(v, doc, depth + 1);
      return [k, required.has(k) ? value : fc.option(value, { freq: 4, nil: undefined })];
    }),
  );
  return fc
    .record(shape)
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
}

// A near miss: one change to a valid value, at a place picked by `at` among its nodes. Deep nesting is
// a marker serialised by `toJson` as text, since JSON.stringify itself recurses and overflows the stack.
const DEEP = '__deep_levels__';
const deep = (levels: number) => ({ [DEEP]: levels });

/** JSON text of a generated value, deep-nesting markers expanded. */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && DEEP in v ? `${DEEP}${v[DEEP]}` : v,
  ).replace(
    new RegExp(`"${DEEP}(\\d+)"`, 'g'),
    (_m, n: string) => `${'{"a":['.repeat(Number(n))}"leaf"${']}'.repeat(Number(n))}`,
  );
const BAD_TEXT = ['a\u0000b', '\u0000', 'x\ud800y', '\udfff', 'ok\u0000\ud83d'];
const WRONG = [0, -1, 1e308, true, null, [], {}, 'text', '', [1, 2], { nested: { x: 1 } }];

type Mutation = 'bad-text' | 'wrong-type' | 'huge' | 'deep' | 'unknown-field' | 'drop-field';
/** Text that cannot be stored is the defect this suite was written for: it is picked most often. */
const MUTATIONS: Mutation[] = [
  'bad-text',
  'bad-text',
  'bad-text',
  'wrong-type',
  'huge',
  'deep',
  'unknown-field',
  'drop-field',
];

function nodes(value: unknown, out: Array<{ parent: unknown; key: string | number }> = []) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      nodes(v, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value, key: k });
      nodes(v, out);
    }
  }
  return out;
}

function mutate(value: unknown, mutation: Mutation, at: number, pick: number): unknown {
  const copy = structuredClone(value);
  const all = nodes(copy);
  const replacement = (): unknown => {
    switch (mutation) {
      case 'bad-text':
        return BAD_TEXT[pick % BAD_TEXT.length];
      case 'wrong-type':
        return WRONG[pick % WRONG.length];
      case 'huge':
        return 'x'.repeat(200_000 + (pick % 1_000));
      case 'deep':
        return deep(1_000 + (pick % 20_000));
      default:
        return undefined;
    }
  };
  if (mutation === 'unknown-field' || mutation === 'drop-field') {
    const objects = [copy, ...all.map((n) => (n.parent as Record<string | number, unknown>)[n.key])].filter(
      (v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v),
    );
    const target = objects[at % Math.max(objects.length, 1)];
    if (!target) return { unexpected: copy };
    if (mutation === 'unknown-field') target[pick % 2 ? 'unexpected' : 'unexpected\u0000'] = 1;
    else {
      const keys = Object.keys(target);
      if (keys.length > 0) delete target[keys[pick % keys.length]!];
    }
    return copy;
  }
  if (all.length === 0) return replacement(); // a primitive or an empty container: replaced whole
  const strings = all.filter(
    (n) => typeof (n.parent as Record<string | number, unknown>)[n.key] === 'string',
  );
  const candidates = mutation === 'bad-text' && strings.length > 0 ? strings : all;
  const node = candidates[at % candidates.length]!;
  (node.parent as Record<string | number, unknown>)[node.key] = replacement();
  return copy;
}

/** A near miss of a valid value, or (one time in eight) any JSON at all. */
export function nearMiss(validValue: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 7,
      arbitrary: fc
        .tuple(validValue, fc.constantFrom(...MUTATIONS), fc.nat(), fc.nat())
        .map(([v, m, at, pick]) => mutate(v, m, at, pick)),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** A path or query parameter: a valid value, or a near miss as the raw text of a URL. */
export function parameter(schema: Schema, doc: OpenApiDocument): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: valid(schema, doc).map((v) => String(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'not-a-uuid',
        'a\u0000b',
        '\ud800',
        '',
        '-1',
        '1e309',
        'x'.repeat(5_000),
        '../..',
        '%',
        '[]',
      ),
    },
  );
}
