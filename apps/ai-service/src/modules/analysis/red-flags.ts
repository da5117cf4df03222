import type { DealAnalysis } from '@mna/shared';

type Risk = DealAnalysis['risks'][number];

/** Terms in deal notes that a reviewer must follow up, with the risk each one raises. */
const RED_FLAGS: ReadonlyArray<{ pattern: RegExp; risk: Omit<Risk, 'evidence'> }> = [
  {
    pattern: /litigation|lawsuit|law suit|class action|pending claims?|sued\b/i,
    risk: {
      category: 'legal',
      severity: 'high',
      mitigation: 'Legal due diligence on open claims; specific indemnity or escrow sized to exposure.',
    },
  },
  {
    pattern:
      /customer concentration|largest customer|single customer|top (?:one|1|two|2|three|3) customers?/i,
    risk: {
      category: 'commercial',
      severity: 'high',
      mitigation: 'Customer calls and contract review; earn-out tied to retention of key accounts.',
    },
  },
  {
    pattern: /key[- ]person|founder[- ]dependen|depends on the founder|key[- ]man/i,
    risk: {
      category: 'people',
      severity: 'medium',
      mitigation: 'Retention and non-compete agreements for key people; succession plan before signing.',
    },
  },
  {
    pattern: /going concern/i,
    risk: {
      category: 'financial',
      severity: 'critical',
      mitigation: 'Auditor discussion and 13-week cash-flow review before any commitment.',
    },
  },
  {
    pattern: /covenant (?:breach|waiver)|default on|refinancing risk/i,
    risk: {
      category: 'leverage',
      severity: 'high',
      mitigation: 'Lender consent and refinancing plan as a condition precedent.',
    },
  },
  {
    pattern: /data breach|cyber(?:attack| incident)|ransomware|gdpr (?:fine|breach)/i,
    risk: {
      category: 'data',
      severity: 'high',
      mitigation: 'IT and cyber due diligence; W&I cover and specific indemnity for incidents.',
    },
  },
  {
    pattern: /antitrust|competition authority|regulatory (?:investigation|probe|inquiry)|sanction/i,
    risk: {
      category: 'regulatory',
      severity: 'high',
      mitigation: 'Regulatory counsel review; filing strategy and a long-stop date in the SPA.',
    },
  },
  {
    pattern: /fraud|restatement|accounting irregularit/i,
    risk: {
      category: 'financial',
      severity: 'critical',
      mitigation: 'Forensic quality-of-earnings review before proceeding.',
    },
  },
];

/** The red-flag risks found in free text, with the sentence that raised each as evidence. */
export function redFlagRisks(text: string | undefined): Risk[] {
  if (!text) return [];
  const sentences = text.split(/(?<=[.!?;\n])\s+/);
  const risks: Risk[] = [];
  for (const flag of RED_FLAGS) {
    const sentence = sentences.find((s) => flag.pattern.test(s));
    if (sentence) risks.push({ ...flag.risk, evidence: `Notes: "${sentence.trim().slice(0, 240)}"` });
  }
  return risks;
}
