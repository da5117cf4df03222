import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bm25Rankings, tfidfRankings, winkTokens } from './baselines.js';
import { documentText, splitOf } from './collection.js';
import { loadCranfield } from './cranfield.js';
import { loadCrunchbase } from './crunchbase.js';
import {
  hitAt,
  ndcgAt,
  overlapAt,
  pairedDifference,
  precisionAt,
  recallAt,
  scoreRankings,
} from './metrics.js';
import { contractVariants, enumValues } from './platform.js';

describe('metrics, by hand', () => {
  const relevant = { a: 1, c: 2, d: 3 };
  const ranked = ['a', 'b', 'c'];

  it('nDCG@10 uses linear gains and the ideal over every judged document', () => {
    // DCG = 1/log2(2) + 2/log2(4) = 2; ideal = 3 + 2/log2(3) + 1/log2(4).
    expect(ndcgAt(ranked, relevant)).toBeCloseTo(2 / (3 + 2 / Math.log2(3) + 0.5), 10);
    expect(ndcgAt(['d', 'c', 'a'], relevant)).toBeCloseTo(1, 10);
    expect(ndcgAt([], relevant)).toBe(0);
  });

  it('precision@10 counts short lists against 10, recall@100 against every relevant document', () => {
    expect(precisionAt(ranked, relevant)).toBe(0.2);
    expect(recallAt(ranked, relevant)).toBeCloseTo(2 / 3, 10);
    expect(hitAt(ranked, relevant)).toBe(1);
    expect(hitAt(['b'], relevant)).toBe(0);
  });

  it('overlap is over the longer top-10 list', () => {
    expect(overlapAt(['a', 'b', 'c'], ['c', 'd'])).toBeCloseTo(1 / 3, 10);
    expect(overlapAt([], [])).toBe(1);
  });

  it('a paired difference is the mean of a − b with the standard error of those differences', () => {
    // Differences 0.1, 0.3, -0.1, 0.1: mean 0.1, sample variance 0.08 / 3, standard error √(0.08/3/4).
    const { mean, standardError } = pairedDifference([0.5, 0.6, 0.2, 0.4], [0.4, 0.3, 0.3, 0.3]);
    expect(mean).toBeCloseTo(0.1, 10);
    expect(standardError).toBeCloseTo(Math.sqrt(0.08 / 3 / 4), 10);
    const single = pairedDifference([0.7], [0.2]);
    expect(single.mean).toBeCloseTo(0.5, 10);
    expect(single.standardError).toBe(0);
  });

  it('scores per split and over all queries', () => {
    const collection = {
      name: 't',
      documents: [],
      queries: Array.from({ length: 40 }, (_, i) => ({ id: String(i), text: 'q', relevant: { a: 1 } })),
    };
    const scores = scoreRankings(collection, new Map(collection.queries.map((q) => [q.id, ['a']])));
    expect(scores.dev.queries + scores['held-out'].queries).toBe(40);
    expect(scores.dev.queries).toBeGreaterThan(0);
    expect(scores.all.ndcg10).toBe(1);
  });
});

describe('splits', () => {
  it('are fixed by the id and cut about half', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => String(i));
    const dev = ids.filter((id) => splitOf('x', id) === 'dev').length;
    expect(dev).toBeGreaterThan(430);
    expect(dev).toBeLessThan(570);
    expect(ids.map((id) => splitOf('x', id))).toEqual(ids.map((id) => splitOf('x', id)));
  });
});

describe('baselines', () => {
  const docs = ['apple banana', 'apple cherry', 'cherry cherry date'].map((t, i) => ({
    id: `d${i + 1}`,
    tokens: winkTokens(t),
  }));
  const queries = [
    { id: 'banana', tokens: winkTokens('bananas') },
    { id: 'cherry date', tokens: winkTokens('the cherry and a date') },
    { id: 'none', tokens: winkTokens('kiwi') },
  ];

  it('TF-IDF cosine ranks by shared rare terms and drops non-matching documents', () => {
    const ranked = tfidfRankings(docs, queries, 10);
    expect(ranked.get('banana')).toEqual(['d1']);
    expect(ranked.get('cherry date')).toEqual(['d3', 'd2']);
    expect(ranked.get('none')).toEqual([]);
  });

  it('the reference BM25 library agrees on the same example', () => {
    const ranked = bm25Rankings(docs, queries, 10);
    expect(ranked.get('banana')).toEqual(['d1']);
    expect(ranked.get('cherry date')).toEqual(['d3', 'd2']);
    expect(ranked.get('none')).toEqual([]);
  });
});

describe('loaders', () => {
  it('Cranfield: queries numbered by their order in cran.qry, gains 5 − grade, -1 not relevant', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cran-'));
    await writeFile(
      join(dir, 'cran.all.1400'),
      '.I 1\n.T\nwing flutter .\n.A\nx\n.B\ny\n.W\nwing flutter\nat speed .\n.I 2\n.T\nshock waves .\n.A\n.B\n.W\n',
    );
    await writeFile(join(dir, 'cran.qry'), '.I 001\n.W\nflutter of wings .\n.I 004\n.W\nshock .\n');
    await writeFile(join(dir, 'cranqrel'), '1 1 1\n1 2 4\n2 2 -1\n');
    const c = await loadCranfield(dir);
    expect(c.documents[0]).toMatchObject({
      externalId: 'cran-1',
      title: 'wing flutter .',
      content: 'wing flutter at speed .',
    });
    expect(c.documents[1]!.content).toBe('shock waves .');
    expect(c.queries).toEqual([
      { id: '1', text: 'flutter of wings .', relevant: { 'cran-1': 4, 'cran-2': 1 } },
    ]);
  });

  it('CrunchBase: companies of busy acquirers, categories as metadata but not in the text body', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-'));
    const header =
      'company_permalink,company_name,company_category_list,company_country_code,company_state_code,company_region,company_city,acquirer_permalink,acquirer_name,acquirer_category_list,acquirer_country_code,acquirer_state_code,acquirer_region,acquirer_city,acquired_at,acquired_month,price_amount,price_currency_code';
    const row = (i: number, acquirer: string, cats: string) =>
      `/organization/c${i},Co ${i},${cats},GBR,H9,London,London,/organization/${acquirer},${acquirer},,USA,CA,SF,SF,2012-0${(i % 9) + 1}-01,,${i === 1 ? 5000000 : ''},USD`;
    const rows = [
      ...Array.from({ length: 6 }, (_, i) => row(i + 1, 'big', 'Analytics|Big Data')),
      row(7, 'big', ''),
      row(8, 'small', 'Analytics'),
    ];
    await writeFile(join(dir, 'a.csv'), [header, ...rows].join('\n'));
    const c = await loadCrunchbase(join(dir, 'a.csv'), 5);
    expect(c.documents.map((d) => d.externalId)).toEqual([
      'cb-c1',
      'cb-c2',
      'cb-c3',
      'cb-c4',
      'cb-c5',
      'cb-c6',
    ]);
    expect(c.documents[0]).toMatchObject({
      kind: 'company_profile',
      title: 'Co 1',
      content: 'Co 1, based in London, GBR, was acquired by big in 2012 for 5,000,000 USD.',
      metadata: { tags: ['Analytics', 'Big Data'], industry: 'Analytics', region: 'GBR' },
    });
    expect(documentText(c.documents[0]!)).toContain('Big Data');
    expect(c.queries.map((q) => q.text)).toEqual(['Analytics companies', 'Big Data companies']);
    expect(Object.keys(c.queries[0]!.relevant)).toHaveLength(6);
  });
});

describe('variants from the contract', () => {
  it('every mode, keyword first, then fusion values if the contract has them, then extras', () => {
    const labels = contractVariants([{ label: 'extra', body: { mode: 'hybrid' } }]).map((v) => v.label);
    expect(labels.slice(0, 3)).toEqual(['keyword', 'semantic', 'hybrid']);
    expect(labels.at(-1)).toBe('extra');
  });

  it('reads enum values through optional and default wrappers', () => {
    expect(enumValues(z.enum(['rrf', 'convex']).default('rrf'))).toEqual(['rrf', 'convex']);
    expect(enumValues(z.enum(['rrf']).optional())).toEqual(['rrf']);
    expect(enumValues(z.string())).toEqual([]);
    expect(enumValues(undefined)).toEqual([]);
  });
});
