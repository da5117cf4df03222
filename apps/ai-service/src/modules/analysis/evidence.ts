import type { Passage, PrincipalInput } from '@mna/shared';
import type { SearchClient } from '../ecosystem/search-client.js';
import type { Deal } from './deal-metrics.js';
import { sentenceEnds } from './sentences.js';

/** A passage given to the analyst: a chunk's text (whole, or cut after a whole sentence) and where it is from. */
export type EvidencePassage = Pick<Passage, 'documentId' | 'chunkId' | 'title' | 'kind' | 'text'>;

export type Evidence = {
  passages: EvidencePassage[];
  /** Ids of the tenant's documents read for this analysis. */
  documentIds: string[];
  /** Estimated tokens of the passages' text. */
  tokens: number;
};

/** Tokens of the documents' text given to an analyst per analysis (Claude's prompt grows with it). */
export const EVIDENCE_TOKEN_BUDGET = 6000;
const HIT_LIMIT = 5;
const PASSAGE_LIMIT = 80;
/** A cut passage shorter than this is not worth its header: it is left out instead. */
const MIN_CUT_TOKENS = 40;

/** What due diligence asks of the documents; search-service ranks the chunks by these words. */
export const DEAL_QUESTIONS = [
  'legal: litigation lawsuit class action claims proceedings defendant settlement change of control',
  'regulatory: investigation subpoena SEC regulator enforcement antitrust sanctions fine',
  'financial: auditor resigned restatement going concern covenant default revenue recognition EBITDA debt',
  'customers: customer concentration largest customer revenue contract renewal churn',
  'people: CEO CFO founder head of sales resigned departed retention key person',
  'technology: data breach cyber security incident ransomware unauthorized access',
].join('\n');

/** Rough token count of English text (about four characters a token), for budgeting only. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * The longest prefix of `text` that ends at a sentence end and fits `tokens`: a cut never splits a
 * sentence, so every sentence the analyst can quote is whole and occurs verbatim in the chunk.
 */
export function cutToSentences(text: string, tokens: number): string {
  let end = 0;
  for (const e of sentenceEnds(text)) {
    if (estimateTokens(text.slice(0, e)) > tokens) break;
    end = e;
  }
  return text.slice(0, end).trimEnd();
}

/** Passages in ranked order until the budget is spent; one that does not fit whole is cut after a sentence. */
export function fitToBudget(passages: readonly EvidencePassage[], budget: number): EvidencePassage[] {
  const kept: EvidencePassage[] = [];
  let left = budget;
  for (const p of passages) {
    const cost = estimateTokens(p.text);
    if (cost <= left) {
      kept.push(p);
      left -= cost;
    } else if (left >= MIN_CUT_TOKENS) {
      const text = cutToSentences(p.text, left);
      if (text.length > 0) {
        kept.push({ ...p, text });
        left -= estimateTokens(text);
      }
    }
  }
  return kept;
}

/**
 * The documents' text behind an analysis, read through search-service: the documents the caller
 * named (a foreign or unknown id is a 404 there) and those of the best hybrid hits for the target,
 * chunk by chunk, ranked for the due-diligence questions, within the token budget.
 */
export async function gatherEvidence(
  search: Pick<SearchClient, 'search' | 'passages'>,
  principal: PrincipalInput,
  deal: Deal,
  budget = EVIDENCE_TOKEN_BUDGET,
): Promise<Evidence> {
  const hits = await search.search(principal, {
    query: `${deal.target} ${deal.sector}`.slice(0, 2000),
    mode: 'hybrid',
    limit: HIT_LIMIT,
  });
  const ids = [...new Set([...(deal.documentIds ?? []), ...hits.results.map((r) => r.documentId)])].slice(
    0,
    60,
  );
  if (ids.length === 0) return { passages: [], documentIds: [], tokens: 0 };
  const { passages } = await search.passages(principal, {
    documentIds: ids,
    query: `${deal.target}\n${DEAL_QUESTIONS}`,
    limit: PASSAGE_LIMIT,
  });
  const kept = fitToBudget(
    passages.map(({ documentId, chunkId, title, kind, text }) => ({
      documentId,
      chunkId,
      title,
      kind,
      text,
    })),
    budget,
  );
  return {
    passages: kept,
    documentIds: [...new Set(kept.map((p) => p.documentId))],
    tokens: kept.reduce((sum, p) => sum + estimateTokens(p.text), 0),
  };
}
