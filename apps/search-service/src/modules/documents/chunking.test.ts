import { describe, expect, it } from 'vitest';
import { CHUNK_TARGET_CHARS, chunkDocument } from './chunking.js';

const sentence = (i: number) => `Sentence number ${i} talks about the merger of two logistics firms.`;

describe('chunkDocument', () => {
  it('keeps a short document in one chunk prefixed with its title', () => {
    const chunks = chunkDocument('Acme memo', 'First paragraph.\n\nSecond paragraph.');
    expect(chunks).toEqual(['Acme memo\n\nFirst paragraph. Second paragraph.']);
  });

  it('splits long text on sentence boundaries near the target size, with overlap', () => {
    const content = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const chunks = chunkDocument('T', content);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.startsWith('T\n\n')).toBe(true);
      expect(chunk.length).toBeLessThanOrEqual(CHUNK_TARGET_CHARS + 80);
      expect(chunk.trimEnd().endsWith('.')).toBe(true);
    }
    // Each chunk after the first repeats the last sentence of the one before it.
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = chunks[i - 1]!.split('. ').at(-1)!;
      expect(chunks[i]).toContain(previousLast.replace(/\.$/, ''));
    }
    // Every sentence survives.
    for (let i = 0; i < 60; i++) expect(chunks.some((c) => c.includes(sentence(i)))).toBe(true);
  });

  it('cuts a sentence longer than the target on word boundaries', () => {
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunkDocument('T', long);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join(' ')).toContain('word399');
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(CHUNK_TARGET_CHARS + 10);
  });
});
