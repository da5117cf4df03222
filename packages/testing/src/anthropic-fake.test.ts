import { describe, expect, it } from 'vitest';
import { createPromptCache, fakeTokens } from './anthropic-fake.js';

const long = (n: number) => 'word '.repeat((n * 4) / 5).trim(); // about n tokens
const request = (documents: string, tail: string, model = 'claude-sonnet-5-5') => ({
  model,
  system: [{ type: 'text', text: 'You are an analyst.', cache_control: { type: 'ephemeral' } }],
  messages: [
    {
      role: 'user',
      content: [
        {
          type: 'document',
          source: { type: 'text', media_type: 'text/plain', data: documents },
          cache_control: { type: 'ephemeral' },
        },
        { type: 'text', text: tail },
      ],
    },
  ],
});

describe('the Anthropic fake’s prompt cache', () => {
  it('writes the prefix up to the last breakpoint, then reads it; what follows the breakpoint is plain input', () => {
    let t = 0;
    const cache = createPromptCache({ now: () => t });
    const first = cache.usage(request(long(2000), 'deal A'), 'answer');
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.cache_creation_input_tokens).toBeGreaterThan(2000);
    expect(first.input_tokens).toBeLessThan(20);
    expect(first.output_tokens).toBe(fakeTokens('answer'));
    t += 60_000;
    const second = cache.usage(request(long(2000), 'deal B, another price'), 'answer');
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBe(0);
    // Other documents: the system prompt alone is under the minimum, so nothing is read.
    const other = cache.usage(request(`${long(2000)} changed`, 'deal B'), 'answer');
    expect(other.cache_read_input_tokens).toBe(0);
    expect(other.cache_creation_input_tokens).toBeGreaterThan(2000);
  });

  it('never caches a prefix under the model’s minimum, and forgets an entry five minutes after its last use', () => {
    let t = 0;
    const cache = createPromptCache({ now: () => t });
    const small = [cache.usage(request(long(500), 'a'), 'x'), cache.usage(request(long(500), 'b'), 'x')];
    expect(small.map((u) => u.cache_read_input_tokens + u.cache_creation_input_tokens)).toEqual([0, 0]);
    // 1,500 tokens: cached for a Sonnet-class model, under Haiku's 2,048 minimum.
    const haiku = [0, 1].map(() => cache.usage(request(long(1500), 'a', 'claude-haiku-5'), 'x'));
    expect(haiku.map((u) => u.cache_read_input_tokens + u.cache_creation_input_tokens)).toEqual([0, 0]);
    cache.usage(request(long(1500), 'a'), 'x');
    t += 4 * 60_000;
    expect(cache.usage(request(long(1500), 'b'), 'x').cache_read_input_tokens).toBeGreaterThan(1024);
    t += 5 * 60_000 + 1;
    expect(cache.usage(request(long(1500), 'c'), 'x').cache_read_input_tokens).toBe(0);
  });
});
