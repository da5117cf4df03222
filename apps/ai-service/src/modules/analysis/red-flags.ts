import type { DealAnalysis } from '@mna/shared';
import { HEDGE, NEGATION, RED_FLAG_RULES, RESOLVED, type RedFlagRule } from './red-flag-rules.js';
import { sentencesOf } from './sentences.js';

type Risk = DealAnalysis['risks'][number];

/** Text the analyst reads: a passage of a document (or the caller's notes, without ids). */
export type ReadableText = { documentId?: string; chunkId?: string; title?: string; text: string };

/** One red flag found: its rule, the sentence that raised it (verbatim) and where it came from. */
export type RedFlag = {
  rule: RedFlagRule;
  severity: Risk['severity'];
  sentence: string;
  share: number | null;
  source: ReadableText;
};

/** The clause around a match: from the last clause break (, ; : — "but", "however") before it. */
function clauseBefore(sentence: string, index: number): string {
  const before = sentence.slice(0, index);
  const breaks = [...before.matchAll(/[,;:()\u2014]|\b(?:but|however|although|whereas)\b/gi)];
  const last = breaks.at(-1);
  return last ? before.slice((last.index ?? 0) + last[0].length) : before;
}

/**
 * Where a negation before a match still reaches it: back to the last strong break (; : — but,
 * however) or a new coordinated clause (", and", ", while"); plain commas keep it, as in a list of
 * prohibited acts ("may not use it to violate laws, …, or attempt to gain unauthorized access").
 */
function negationScope(sentence: string, index: number): string {
  const before = sentence.slice(0, index);
  const breaks = [
    ...before.matchAll(/[;:()\u2014]|\b(?:but|however|although|whereas|yet)\b|,\s+(?:and|while)\b/gi),
  ];
  const last = breaks.at(-1);
  return last ? before.slice((last.index ?? 0) + last[0].length) : before;
}

/** The clause after a match: up to the next clause break. */
function clauseAfter(sentence: string, index: number): string {
  const after = sentence.slice(index);
  const next = /[,;:()\u2014]|\b(?:but|however|although|whereas|which)\b/i.exec(after);
  return next ? after.slice(0, next.index) : after;
}

const SHARE = /(\d{1,3}(?:\.\d+)?)\s?(?:%|per ?cent\b|percent\b)/i;

function severityOf(
  rule: RedFlagRule,
  sentence: string,
): { severity: Risk['severity']; share: number | null } {
  if (!rule.byShare) return { severity: rule.severity, share: null };
  const match = SHARE.exec(sentence);
  if (!match) return { severity: rule.severity, share: null };
  const share = Number(match[1]);
  const severity = rule.byShare.find(([min]) => share >= min)?.[1] ?? rule.severity;
  return { severity, share };
}

/**
 * Whether a rule fires on a sentence: a match with no negation before it in its clause, no
 * resolution ("has been alleviated") after it and, for factual rules, no hedge in its clause.
 */
export function fires(rule: RedFlagRule, sentence: string): boolean {
  return rule.patterns.some((pattern) => {
    const match = pattern.exec(sentence);
    if (!match) return false;
    if (NEGATION.test(negationScope(sentence, match.index))) return false;
    const clause = clauseBefore(sentence, match.index);
    if (RESOLVED.test(sentence.slice(match.index + match[0].length))) return false;
    const end = match.index + match[0].length;
    return !(rule.factual && HEDGE.test(`${clause} ${match[0]} ${clauseAfter(sentence, end)}`));
  });
}

const RANK: Record<Risk['severity'], number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Every rule's strongest firing sentence across the texts (first in reading order on ties). */
export function findRedFlags(texts: readonly ReadableText[]): RedFlag[] {
  const found = new Map<string, RedFlag>();
  for (const source of texts) {
    for (const sentence of sentencesOf(source.text)) {
      for (const rule of RED_FLAG_RULES) {
        if (!fires(rule, sentence)) continue;
        const { severity, share } = severityOf(rule, sentence);
        const known = found.get(rule.id);
        if (!known || RANK[severity] > RANK[known.severity])
          found.set(rule.id, { rule, severity, sentence, share, source });
      }
    }
  }
  return RED_FLAG_RULES.flatMap((r) => {
    const flag = found.get(r.id);
    return flag ? [flag] : [];
  });
}

/** A red flag as a risk of the analysis: the quoted sentence (and its document) is the evidence. */
export function riskOf(flag: RedFlag): Risk {
  const where = flag.source.title ? ` (${flag.source.title})` : ' (notes)';
  const share = flag.share !== null ? `, ${flag.share}%` : '';
  return {
    category: flag.rule.category,
    severity: flag.severity,
    evidence: `${flag.rule.label}${share}: "${flag.sentence}"${where}`,
    mitigation: flag.rule.mitigation,
  };
}

/** Points a red flag adds toward the recommendation: its rule's weight, scaled by severity against the rule's own. */
export function pointsOf(flag: RedFlag): number {
  return (flag.rule.weight * (RANK[flag.severity] + 1)) / (RANK[flag.rule.severity] + 1);
}
