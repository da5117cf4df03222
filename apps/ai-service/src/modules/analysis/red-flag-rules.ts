import type { DealAnalysis } from '@mna/shared';

type Risk = DealAnalysis['risks'][number];

/**
 * One red flag the local analyst looks for in the documents' sentences. `patterns` match an event
 * that happened (a suit filed, an auditor gone); a sentence where a negation ("no", "not aware of")
 * or, for `factual` rules, a hedge ("may", "could", "if") comes before the match in the same clause
 * does not fire. `weight` is the flag's contribution to the recommendation's points.
 */
export type RedFlagRule = {
  id: string;
  label: string;
  category: Risk['category'];
  severity: Risk['severity'];
  weight: number;
  patterns: readonly RegExp[];
  /** Fires only on stated facts: a hedge before the match in its clause silences it. */
  factual: boolean;
  /** Severity by a percentage found in the sentence (customer concentration): [minimum %, severity], highest first. */
  byShare?: ReadonlyArray<readonly [number, Risk['severity']]>;
  mitigation: string;
};

/** The red-flag table. Weights: low 0.25, medium 1, high 2, critical 3 (as the financial risks). */
export const RED_FLAG_RULES: readonly RedFlagRule[] = [
  {
    id: 'litigation',
    label: 'Litigation',
    category: 'legal',
    severity: 'high',
    weight: 2,
    factual: true,
    patterns: [
      /\b(?:filed|brought|commenced|instituted) (?:a |an )?(?:putative |purported )?(?:securities |shareholder |derivative )?(?:class[- ]action|lawsuit|suit|complaint|claim)s?(?: \w+)? against\b/i,
      /\b(?:class[- ]action|lawsuit|suit|complaint)s? (?:\w+ ){0,3}(?:was|were|has been|have been|is|are) (?:filed|brought|commenced|pending)\b/i,
      /\bnamed as (?:a )?defendants?\b/i,
      /\b(?:is|are|was|were) (?:a |the )?(?:named )?defendants? in\b/i,
      /\b(?:pending|ongoing|outstanding) (?:\w+ ){0,2}(?:litigation|lawsuits?|legal proceedings|claims?)\b/i,
      /\b(?:was|were|has been|have been|is being|are being) sued\b/i,
    ],
    mitigation: 'Legal due diligence on open claims; specific indemnity or escrow sized to exposure.',
  },
  {
    id: 'regulatory_investigation',
    label: 'Regulatory investigation',
    category: 'regulatory',
    severity: 'critical',
    weight: 3,
    factual: true,
    patterns: [
      /\b(?:formal |informal )?(?:order of )?investigation (?:by|from|of) (?:the )?(?:SEC|Securities and Exchange Commission|Department of Justice|DOJ|FTC|FCA|CMA|European Commission|regulator)/i,
      /\b(?:SEC|DOJ|FTC|FCA|CMA|Department of Justice|Securities and Exchange Commission)(?:'s)? (?:\w+ ){0,3}(?:investigation|inquiry|probe|enforcement action)\b/i,
      /\bsubpoenas?\b/i,
      /\bWells notice\b/i,
      /\bregulatory (?:investigation|probe|inquiry|enforcement)\b/i,
      /\b(?:antitrust|competition) (?:investigation|authority|probe)\b/i,
    ],
    mitigation:
      'Regulatory counsel review of the investigation file; specific indemnity and a long-stop date in the SPA.',
  },
  {
    id: 'auditor_change',
    label: 'Auditor change',
    category: 'financial',
    severity: 'high',
    weight: 2,
    factual: true,
    patterns: [
      /\b(?:auditors?|independent registered public accounting firm|accounting firm)\b[^.;]{0,60}\b(?:resigned|resignation|dismissed|declined to stand for re-?election|withdrew)\b/i,
      /\b(?:resignation|dismissal) of (?:our |the company's |its )?(?:independent )?(?:auditors?|registered public accounting firm)\b/i,
      /\bchange (?:in|of) (?:our |the )?(?:independent )?auditors?\b/i,
    ],
    mitigation: 'Speak to the outgoing auditor; forensic quality-of-earnings review before signing.',
  },
  {
    id: 'going_concern',
    label: 'Going-concern doubt',
    category: 'financial',
    severity: 'critical',
    weight: 3,
    factual: true,
    patterns: [
      /\bsubstantial doubt\b[^.]{0,120}\bgoing concern\b/i,
      /\bgoing[- ]concern (?:qualification|warning|opinion|paragraph|emphasis)\b/i,
    ],
    mitigation: 'Auditor discussion and 13-week cash-flow review before any commitment.',
  },
  {
    id: 'customer_concentration',
    label: 'Customer concentration',
    category: 'commercial',
    severity: 'medium',
    weight: 1,
    factual: false,
    patterns: [
      /\b(?:largest|single|one|biggest|top) (?:\w+ ){0,2}customer\b[^.]{0,120}\b\d{1,3}(?:\.\d+)?\s?(?:%|per ?cent\b|percent\b)/i,
      /\b\d{1,3}(?:\.\d+)?\s?(?:%|per ?cent\b|percent\b)[^.]{0,80}\b(?:revenues?|sales)\b[^.]{0,60}\b(?:from|with|to) (?:a |one |its |our )?(?:single|largest|one) customer\b/i,
      // A stated concentration, not the topic ("key risks: … customer concentration in the segment").
      /\b(?:high|significant|material|heavy|substantial) (?:degree of )?customer concentration\b/i,
    ],
    byShare: [
      [50, 'high'],
      [25, 'medium'],
      [0, 'low'],
    ],
    mitigation: 'Customer calls and contract review; earn-out tied to retention of the key accounts.',
  },
  {
    id: 'key_person_departure',
    label: 'Key-person departure',
    category: 'people',
    severity: 'high',
    weight: 2,
    factual: true,
    patterns: [
      /\b(?:CEO|CFO|COO|CTO|chief (?:executive|financial|operating|technology|revenue) officer|founder|head of (?:sales|engineering|product)|(?:vice )?president of sales)\b[^.;]{0,60}\b(?:resigned|left|departed|stepped down|was terminated|retired)\b/i,
      /\b(?:resignation|departure|loss) of (?:our |the |its )?(?:CEO|CFO|COO|CTO|chief \w+ officer|founder|head of \w+|key (?:management|executives|personnel|employees))\b/i,
    ],
    mitigation:
      'Management interviews, retention and non-compete agreements, succession plan before signing.',
  },
  {
    id: 'key_person_dependency',
    label: 'Key-person dependency',
    category: 'people',
    severity: 'medium',
    weight: 1,
    factual: true,
    patterns: [
      /\bdepends? (?:heavily |largely )?on (?:the |its |our )?(?:founders?|CEO|key (?:people|persons?|individuals))\b/i,
      /\bfounder[- ]dependen/i,
      /\bkey[- ](?:person|man) (?:risk|dependency)\b/i,
    ],
    mitigation: 'Retention and non-compete agreements for key people; succession plan before signing.',
  },
  {
    id: 'covenant_breach',
    label: 'Covenant breach',
    category: 'leverage',
    severity: 'high',
    weight: 2,
    factual: true,
    patterns: [
      /\bnot in compliance with (?:\w+ ){0,4}covenants?\b/i,
      /\b(?:breach(?:ed)?|violat(?:ed|ion of)|default under) (?:\w+ ){0,4}(?:financial )?covenants?\b/i,
      /\bcovenants? (?:breach|waiver|violation)\b/i,
      /\bevent of default\b/i,
    ],
    mitigation: 'Lender consent and a refinancing plan as conditions precedent.',
  },
  {
    id: 'restatement',
    label: 'Restatement',
    category: 'financial',
    severity: 'critical',
    weight: 3,
    factual: true,
    patterns: [
      /\brestat(?:ed|ement of|ing) (?:\w+ ){0,4}(?:financial statements|revenue|results|earnings)\b/i,
      /\bnon-?reliance on previously issued\b/i,
      /\baccounting irregularit/i,
      // Fraud committed or alleged, not a product ("fraud detection", "fraud screening").
      /\b(?:accounting|securities|financial|wire|alleged) fraud\b|\bfraud(?:ulent)? (?:allegations?|charges?|scheme|accounting|financial reporting)\b|\bcommitted fraud\b/i,
    ],
    mitigation: 'Forensic quality-of-earnings review before proceeding.',
  },
  {
    id: 'data_breach',
    label: 'Data breach',
    category: 'data',
    severity: 'high',
    weight: 2,
    factual: true,
    patterns: [
      /\bdata breach\b/i,
      /\bunauthori[sz]ed access to (?:\w+ ){0,4}(?:data|systems|information|records)\b/i,
      /\b(?:ransomware|cyber-?attack|security incident|cyber incident)\b/i,
      /\bgdpr (?:fine|breach|penalty)\b/i,
    ],
    mitigation: 'IT and cyber due diligence; W&I cover and a specific indemnity for incidents.',
  },
  {
    id: 'change_of_control',
    label: 'Change-of-control clause',
    category: 'legal',
    severity: 'medium',
    weight: 1,
    factual: false,
    patterns: [/\bchange[- ](?:of|in)[- ]control\b/i],
    mitigation:
      'List contracts with change-of-control clauses; obtain counterparties’ consent before closing.',
  },
];

/** A negation before the match, in the same clause: "no litigation is pending", "not aware of any claims". */
export const NEGATION =
  /\b(?:no|not|never|none|neither|nor|without|nothing|absence of|free of|low|limited|minimal|isn't|aren't|wasn't|weren't|hasn't|haven't|didn't|doesn't)\b/i;
/** A hedge before the match, in the same clause: risk-factor boilerplate, not an event. */
export const HEDGE =
  /\b(?:may|might|could|would|if|should|potential(?:ly)?|possible|possibly|in the event|from time to time|risk that)\b/i;
/** After the match, in the same sentence: the matter is over ("has been alleviated", "was dismissed"). */
export const RESOLVED =
  /\b(?:has|have|had) been (?:alleviated|resolved|withdrawn|remediated|cured|waived)\b|\b(?:was|were) (?:dismissed|withdrawn|resolved|closed) with prejudice\b/i;
