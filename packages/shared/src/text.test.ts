import { describe, expect, it } from 'vitest';
import { jobPayload, QUEUES } from './queues.js';
import { cleanText, invalidTextFields } from './text.js';

describe('text PostgreSQL can store', () => {
  it('names every field with a NUL or a lone surrogate, keys included, and passes valid text', () => {
    const value = {
      ok: 'emoji 🤝 and “quotes”',
      a: ['fine', 'x\u0000'],
      b: { c: '\ud83d', d: 'y\udc00' },
      'k\u0000': 'v',
    };
    const paths = invalidTextFields(value, 'body').map((e) => e.path);
    expect(paths.sort()).toEqual(['body', 'body.a.1', 'body.b.c', 'body.b.d']);
    expect(invalidTextFields({ ok: 'emoji 🤝' }, 'body')).toEqual([]);
  });

  it('walks nesting deeper than the call stack would allow', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(invalidTextFields(deep, 'body')).toHaveLength(1);
  });

  it('cleans text from outside a request: NUL dropped, lone surrogates replaced', () => {
    expect(cleanText('a\u0000b\ud800c🤝')).toBe('ab\ufffdc🤝');
  });

  it('refuses a job payload with such text before it is enqueued', () => {
    expect(() =>
      jobPayload(QUEUES.aiGraphMetrics, { tenantId: 'org\u0000', graphVersion: '1', plan: 'solo' }),
    ).toThrow(/cannot be stored/);
  });
});
