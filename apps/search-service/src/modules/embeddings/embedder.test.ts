import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS, estimateTokens, planRequests, truncateToTokens } from './embedder.js';
import { localEmbedding } from './local-embedder.js';
import { createLocalIdfEmbedder, LOCAL_IDF_MODEL, localIdfEmbedding } from './local-idf-embedder.js';
import { createTokenBudget } from './token-budget.js';

const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('local embedder', () => {
  it('is deterministic, 1536-dimensional and normalised', () => {
    const a = localEmbedding('Cross-border acquisition of a German logistics company');
    const b = localEmbedding('Cross-border acquisition of a German logistics company');
    expect(a).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(a).toEqual(b);
    expect(Math.sqrt(a.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 6);
    expect(localEmbedding('')).toHaveLength(EMBEDDING_DIMENSIONS);
  });

  it('ranks texts sharing words and word forms above unrelated ones', () => {
    const query = localEmbedding('fintech payments acquisitions');
    const related = localEmbedding('The acquisition of a payments fintech in Brazil');
    const unrelated = localEmbedding('Wind turbine maintenance for offshore energy farms');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.2);
  });
});

describe('local IDF embedder (local-idf-v2)', () => {
  const digest = (v: number[]) => createHash('sha256').update(new Float64Array(v)).digest('hex');

  it('is deterministic, 1536-dimensional and normalised, and names its own model', async () => {
    const text = 'Cross-border acquisition of a German logistics company';
    const a = localIdfEmbedding(text);
    expect(a).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(a).toEqual(localIdfEmbedding(text));
    expect(Math.sqrt(a.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 6);
    expect(localIdfEmbedding('the of and')).toHaveLength(EMBEDDING_DIMENSIONS);
    const embedder = createLocalIdfEmbedder();
    expect(embedder.model).toBe(LOCAL_IDF_MODEL);
    expect(embedder.model).not.toBe('local-hash-v1');
    expect(await embedder.embed([text])).toEqual([a]);
  });

  it('gives the same vector in another process', () => {
    const text = 'Offshore wind farms acquired by a Danish utility';
    const module = fileURLToPath(new URL('./local-idf-embedder.ts', import.meta.url));
    const script = `const { localIdfEmbedding } = await import(${JSON.stringify(module)});
      const { createHash } = await import('node:crypto');
      process.stdout.write(createHash('sha256').update(new Float64Array(localIdfEmbedding(${JSON.stringify(text)}))).digest('hex'));`;
    const child = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(child.toString()).toBe(digest(localIdfEmbedding(text)));
  });

  it('weighs a rare shared word above a common one (IDF)', () => {
    const query = localIdfEmbedding('biotechnology people');
    const rare = localIdfEmbedding('a biotechnology startup');
    const common = localIdfEmbedding('people like startups');
    expect(cosine(query, rare)).toBeGreaterThan(cosine(query, common) + 0.1);
  });

  it('matches word forms (Porter2 stems), and misspellings a little (character 4-grams)', () => {
    const query = localIdfEmbedding('acquisitions of payment processors');
    expect(cosine(query, localIdfEmbedding('acquisition of a payments processor'))).toBeGreaterThan(0.8);
    const typo = cosine(localIdfEmbedding('aquisition'), localIdfEmbedding('acquisition'));
    expect(typo).toBeGreaterThan(
      cosine(localIdfEmbedding('aquisition'), localIdfEmbedding('turbine')) + 0.05,
    );
  });
});

describe('request planning', () => {
  it('respects the input count and token limits, in order', () => {
    const texts = Array.from({ length: 10 }, (_, i) => 'x'.repeat(30 * (i + 1)));
    const plans = planRequests(texts, { maxInputs: 3, maxTokens: 100 });
    expect(plans.map((p) => p.end - p.start).every((n) => n <= 3)).toBe(true);
    expect(plans.every((p) => p.tokens <= 100 || p.end - p.start === 1)).toBe(true);
    expect(plans[0]!.start).toBe(0);
    expect(plans.at(-1)!.end).toBe(10);
    for (const [i, p] of plans.slice(1).entries()) expect(p.start).toBe(plans[i]!.end);
  });

  it('splits 5000 inputs into requests of at most 2048', () => {
    const plans = planRequests(Array.from({ length: 5000 }, () => 'short text'));
    expect(plans.map((p) => p.end - p.start)).toEqual([2048, 2048, 904]);
  });

  it('truncates an input over 8192 tokens', () => {
    const long = 'é'.repeat(40_000);
    const cut = truncateToTokens(long);
    expect(estimateTokens(cut)).toBeLessThanOrEqual(8192);
    expect(cut.length).toBeGreaterThan(10_000);
    expect(cut).not.toContain('\uFFFD');
  });
});

describe('token budget', () => {
  it('makes a caller wait when the minute budget is spent', async () => {
    let now = 0;
    const budget = createTokenBudget(60_000, () => now); // 1 token per ms
    await budget.acquire(60_000);
    let done = false;
    const pending = budget.acquire(500).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    now = 600;
    await pending;
    expect(done).toBe(true);
  });
});
