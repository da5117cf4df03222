import { describe, expect, it } from 'vitest';
import { RED_FLAG_RULES } from './red-flag-rules.js';
import { findRedFlags } from './red-flags.js';
import { sentencesOf } from './sentences.js';

const flagsOf = (text: string) => findRedFlags([{ text }]).map((f) => `${f.rule.id}:${f.severity}`);

/**
 * Real sentences, each with where it was read. SEC filings are US government records in the public
 * domain; the ASC 205-40 going-concern wording is the standard disclosure language (here as laid out
 * in the public CJCPAs/CJCPAs-Ultimate-Construction-Accounting-Database, docs/07-financial-statement-
 * footnotes/16-Going-Concern.md); where a sentence was found quoted in a public repository rather
 * than read in the filing itself, that is said.
 */
const REAL = {
  // Form S-1/A registration statement filed with the SEC in 2015, risk factors (as reproduced in the
  // public Eyeswidewoke/PDF-FIles repository, scan EFTA01377661 p. 1): generic, hypothetical litigation.
  s1GenericLitigation:
    "In addition, in the past, following periods of volatility in the overall market and the market price of a particular company's securities, securities class action litigation has often been instituted against these companies.",
  s1HypotheticalLitigation:
    "This litigation, if instituted against us, could result in substantial costs and a diversion of our management's attention and resources.",
  // The same kind of S-1 risk-factor heading (same repository, scan EFTA01409918 p. 82).
  s1KeyPersonHeading:
    'Loss of key management personnel could hurt our business and inhibit our ability to operate and grow successfully.',
  // A 10-K risk factor of a company in Chapter 11 (olmocr benchmark page in the public
  // xingdi1990/olmocr repository, orbit-bench/bench_data/magic-pdf): actual pending litigation.
  chapter11PendingLitigation:
    'Bankruptcy Court rulings in the Chapter 11 Cases as well as the outcome of other pending litigation and the outcome of the Chapter 11 Cases in general.',
  // ASC 205-40 going-concern disclosure wording.
  goingConcern:
    "These conditions raise substantial doubt about the Company's ability to continue as a going concern within one year after the date the financial statements are issued.",
  goingConcernDenied:
    "Based on its evaluation, management has concluded that no conditions or events exist that raise substantial doubt about the Company's ability to continue as a going concern.",
  goingConcernNotRaised:
    "Based on this evaluation, management has concluded that these conditions do not raise substantial doubt about the Company's ability to continue as a going concern within one year after the financial statements are issued.",
  goingConcernAlleviated:
    "Accordingly, management believes substantial doubt about the Company's ability to continue as a going concern has been alleviated.",
  covenant: 'The Company is not in compliance with certain debt covenants.',
  departure: 'Departure of key management personnel.',
  defendant:
    'The Company is a defendant in litigation seeking damages of $[AMOUNT], as described in Note [X].',
  // A 10-K customer-concentration sentence, as quoted in a public repository's tests (the filer is
  // not named there): the largest share is the one to report.
  walmart:
    'Sales to Walmart Inc., or Walmart, our largest customer, accounted for approximately 13.8%, 13.3% and 16.3%, respectively, of our revenues in 2025, 2024 and 2023.',
  // Johnson Controls International FY2025 10-K (as quoted in a public repository): product mix, not a customer.
  productMix:
    'In fiscal 2025, products and systems accounted for approximately 68% of sales from continuing operations and services accounted for 32% of sales from continuing operations.',
  // Website terms of use (many public sites): a prohibition, not an incident.
  termsOfUse:
    "You may not use rock to violate any laws, infringe intellectual property rights, distribute malware, or attempt to gain unauthorized access to our systems or other users' accounts.",
};

describe('red flags on real sentences', () => {
  it('fires on stated events: pending litigation, going-concern doubt, covenant breach, a departure, a defendant', () => {
    expect(flagsOf(REAL.chapter11PendingLitigation)).toEqual(['litigation:high']);
    expect(flagsOf(REAL.goingConcern)).toEqual(['going_concern:critical']);
    expect(flagsOf(REAL.covenant)).toEqual(['covenant_breach:high']);
    expect(flagsOf(REAL.departure)).toEqual(['key_person_departure:high']);
    expect(flagsOf(REAL.defendant)).toEqual(['litigation:high']);
  });

  it('does not fire on hypothetical risk-factor language or generic statements about other companies', () => {
    expect(flagsOf(REAL.s1GenericLitigation)).toEqual([]);
    expect(flagsOf(REAL.s1HypotheticalLitigation)).toEqual([]);
    expect(flagsOf(REAL.s1KeyPersonHeading)).toEqual([]);
  });

  it('does not fire on negations or resolved matters', () => {
    expect(flagsOf(REAL.goingConcernDenied)).toEqual([]);
    expect(flagsOf(REAL.goingConcernNotRaised)).toEqual([]);
    expect(flagsOf(REAL.goingConcernAlleviated)).toEqual([]);
    expect(flagsOf(REAL.termsOfUse)).toEqual([]);
    expect(flagsOf('No litigation is pending against the company.')).toEqual([]);
    expect(flagsOf('We are not aware of any pending claims or lawsuits.')).toEqual([]);
    expect(flagsOf('There is no pending litigation, and no regulatory investigation is under way.')).toEqual(
      [],
    );
    // A negation does not reach past a new clause: the investigation still fires.
    expect(
      flagsOf('There is no pending litigation, and the SEC opened a formal investigation into the company.'),
    ).toEqual(['regulatory_investigation:critical']);
  });

  it('ignores products and topics that share a flag’s words (the demo corpus of scripts/demo)', () => {
    // Sentences of the demo corpus (buildCorpus): a fraud-detection product and a list of areas to check.
    expect(
      flagsOf(
        'Vaultwise brings fraud detection, anti-money laundering, compliance capabilities and roughly 210 staff in London.',
      ),
    ).toEqual([]);
    expect(
      flagsOf(
        'The buyer said the acquisition will bring fraud screening in-house and cut chargeback losses for merchants.',
      ),
    ).toEqual([]);
    expect(
      flagsOf(
        'Key risks: Integration of management teams, regulatory approvals in Europe, and customer concentration in the fintech segment.',
      ),
    ).toEqual([]);
    expect(flagsOf('The SEC charged the former CFO with accounting fraud in 2024.')).toEqual([
      'restatement:critical',
    ]);
  });

  it('rates customer concentration by the share it states, and ignores product mix', () => {
    const [walmart] = findRedFlags([{ text: REAL.walmart }]);
    expect(walmart).toMatchObject({ severity: 'low', share: 13.8 });
    expect(flagsOf(REAL.productMix)).toEqual([]);
    expect(findRedFlags([{ text: 'One customer accounted for 62 % of revenue in 2025.' }])[0]).toMatchObject({
      severity: 'high',
      share: 62,
    });
    expect(findRedFlags([{ text: 'Our largest customer represented 31% of net sales.' }])[0]).toMatchObject({
      severity: 'medium',
      share: 31,
    });
  });

  it('quotes the whole sentence verbatim, with its document and chunk, and keeps the strongest per rule', () => {
    const text = `Overview of the U.S. business. ${REAL.goingConcern} ${REAL.covenant}`;
    const flags = findRedFlags([{ documentId: 'd', chunkId: 'c', title: 'T', text }]);
    expect(flags.map((f) => f.sentence)).toEqual([REAL.goingConcern, REAL.covenant]);
    for (const f of flags) expect(text).toContain(f.sentence);
    expect(flags[0]!.source).toMatchObject({ documentId: 'd', chunkId: 'c' });
    const two = findRedFlags([
      { text: 'Our largest customer represented 31% of net sales.' },
      { text: 'One customer accounted for 62 % of revenue.' },
    ]);
    expect(two).toHaveLength(1);
    expect(two[0]!.share).toBe(62);
  });

  it('covers every kind of flag the issue lists, in one table of patterns and weights', () => {
    expect(RED_FLAG_RULES.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'litigation',
        'regulatory_investigation',
        'auditor_change',
        'going_concern',
        'customer_concentration',
        'key_person_departure',
        'covenant_breach',
        'restatement',
        'data_breach',
        'change_of_control',
      ]),
    );
    expect(RED_FLAG_RULES.every((r) => r.weight > 0 && r.patterns.length > 0)).toBe(true);
  });

  it('splits sentences without breaking numbers, initialisms or abbreviations', () => {
    expect(sentencesOf('Revenue was USD 62.5 million at Acme Inc. in the U.S. market. Next one!')).toEqual([
      'Revenue was USD 62.5 million at Acme Inc. in the U.S. market.',
      'Next one!',
    ]);
  });
});
