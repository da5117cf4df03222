import type { QuoteCitation } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { cutToSentences, type EvidencePassage, estimateTokens, fitToBudget } from './evidence.js';
import { checkQuotes } from './quote-check.js';
import { findRedFlags } from './red-flags.js';
import { sentencesOf } from './sentences.js';

const D = '11111111-1111-4111-8111-111111111111';
const passage = (chunk: number, text: string): EvidencePassage => ({
  documentId: D,
  chunkId: `22222222-2222-4222-8222-${String(chunk).padStart(12, '0')}`,
  title: 'CIM',
  kind: 'cim',
  text,
});
const LEGAL =
  'Legal proceedings. In February 2026 a putative securities class action was filed against the company in the U.S. District Court for the Southern District of Ohio. No other litigation is pending. The company received a subpoena and the SEC opened a formal investigation into revenue recognition.';

describe('evidence budget', () => {
  it('keeps ranked passages whole while they fit, then cuts one after a whole sentence, within the budget', () => {
    const first = passage(1, 'Overview. '.repeat(40).trim());
    const second = passage(2, LEGAL);
    const budget = estimateTokens(first.text) + 45;
    const kept = fitToBudget([first, second], budget);
    expect(kept[0]).toEqual(first);
    const cut = kept[1]!;
    expect(cut.text.length).toBeLessThan(LEGAL.length);
    expect(LEGAL.startsWith(cut.text)).toBe(true);
    expect(kept.reduce((n, p) => n + estimateTokens(p.text), 0)).toBeLessThanOrEqual(budget);
    // Every sentence of the cut passage is a whole sentence of the chunk: nothing quotable is split.
    const whole = sentencesOf(LEGAL);
    for (const s of sentencesOf(cut.text)) expect(whole).toContain(s);
    // The red flag in what was kept is quoted whole and passes the quote check against the chunk.
    const flags = findRedFlags(kept);
    expect(flags.map((f) => f.rule.id)).toEqual(['litigation']);
    const quotes = flags.map((f) => ({ documentId: D, chunkId: cut.chunkId, quote: f.sentence }));
    expect(checkQuotes(quotes, kept).rejected).toEqual([]);
  });

  it('never cuts inside an initialism or a number, and leaves out a passage when not one sentence fits', () => {
    const text = 'Revenue was USD 62.5 million in the U.S. market last year. Margins were 21%.';
    expect(cutToSentences(text, estimateTokens(text) - 1)).toBe(
      'Revenue was USD 62.5 million in the U.S. market last year.',
    );
    expect(cutToSentences(text, 3)).toBe('');
    expect(fitToBudget([passage(1, text)], 10)).toEqual([]);
  });

  it('skips a passage with no sentence that fits and still takes a later one that does', () => {
    const big = passage(1, `One sentence that runs on ${'and on '.repeat(300)}without an end`);
    const small = passage(2, 'The chief financial officer resigned in March 2026.');
    const kept = fitToBudget([big, small], 60);
    expect(kept).toEqual([small]);
  });
});

describe('quote check', () => {
  const chunks = [passage(1, LEGAL), passage(2, 'Customers. One customer accounted for 62 % of revenue.')];
  const q = (chunk: number, quote: string): QuoteCitation => ({
    documentId: D,
    chunkId: chunks[chunk - 1]!.chunkId,
    quote,
  });

  it('keeps quotes found in the chunk they cite (whitespace and typographic quotes folded) and rejects the rest', () => {
    const { verified, rejected } = checkQuotes(
      [
        q(1, 'a putative securities class action was filed against the company'),
        q(1, 'the  SEC opened a formal\ninvestigation'),
        q(1, 'One customer accounted for 62 % of revenue.'), // real text, wrong chunk
        q(2, 'One customer accounted for 70 % of revenue.'), // altered
        {
          documentId: '33333333-3333-4333-8333-333333333333',
          chunkId: chunks[0]!.chunkId,
          quote: 'Legal proceedings.',
        },
      ],
      chunks,
    );
    expect(verified.map((v) => v.quote)).toEqual([
      'a putative securities class action was filed against the company',
      'the  SEC opened a formal\ninvestigation',
    ]);
    expect(rejected).toHaveLength(3);
  });
});
