import { type PartnerResultsSchema, UpstreamError } from '@mna/shared';
import { z } from 'zod';
import { askStructured, type StructuredDeps } from '../llm/structured.js';
import type { CompanyNode } from './graph.js';
import type { Goal } from './partners.scoring.js';

type Candidate = z.output<typeof PartnerResultsSchema>['candidates'][number];

/** Bump whenever the rationale prompt or its output schema changes: part of the partners cache key. */
export const RATIONALE_PROMPT_VERSION = 'partner-rationale/2026-12-07.1';

export const PARTNER_RATIONALE_SYSTEM_PROMPT = `You are a senior M&A analyst explaining partner, acquisition and investment candidates to a corporate-development team.

Each candidate comes with a compatibility score that the platform has already computed, and its factors (each 0 to 1):
- strategicFit: similarity of the two company profiles (embeddings);
- sectorComplementarity: how the industries fit for the goal (acquirers consolidate a sector, partners look for complements) and shared tags;
- sizeFit: whether the candidate's size suits the goal (acquisitions and investments target smaller companies);
- geographicFit: same region 1, different region 0.2, unknown 0.5;
- networkProximity: weighted shortest path and shared neighbours in the ecosystem graph (warm introductions);
- influence: the candidate's PageRank in the ecosystem relative to the most central company;
- textSimilarity: TF-IDF cosine of the two profiles (industry, tags, description);
- tagOverlap: Jaccard of the two tag sets;
- portfolioFit: text similarity to the closest company the searcher is already tied to (for an acquirer: what it bought).

Each candidate also carries its evidence: drivers (the factors that moved the score, with their pull; positive raises it), the shared tags, the closest tie, the network path (company names) and the factors with no data (unknown counts as neutral, never as a mismatch).

Rules:
- Write one rationale per candidate, 1 to 3 sentences, for the stated goal: name the drivers that raised the score with the evidence behind each (shared tags, text similarity, closest tie, network path), and the main caveat.
- Ground every statement in the factors and company facts given; never invent facts, figures, deals or relationships.
- Never change, recompute or contradict the score or the ranking; do not state the score as a percentage of anything else.
- Return exactly one entry per candidate id given, with the id unchanged.
- Answer only with the JSON object the output schema describes.`;

export const RationalesSchema = z.object({
  rationales: z.array(z.object({ companyId: z.string(), rationale: z.string().min(1) })),
});

export type RationaleRequest = {
  goal: Goal;
  company: CompanyNode;
  candidates: Candidate[];
  /** Company facts of each candidate, by id. */
  profiles: Map<string, CompanyNode>;
};

function userMessage(request: RationaleRequest): string {
  const lines = request.candidates.map((c) => {
    const profile = request.profiles.get(c.companyId);
    return JSON.stringify({
      companyId: c.companyId,
      score: c.score,
      factors: c.factors,
      evidence: c.evidence,
      profile: profile ?? { name: c.name },
    });
  });
  return [
    `Goal: ${request.goal}.`,
    `Company looking for candidates: ${JSON.stringify(request.company)}`,
    `Candidates, best first:\n${lines.join('\n')}`,
  ].join('\n\n');
}

/**
 * Claude writes the candidates' rationales (structured output, parsed again with zod); the ranked
 * candidates and their scores are only read. Every candidate must get one, or the answer is a 502.
 */
export function createClaudeRationaleWriter(deps: StructuredDeps) {
  return async function writeRationales(request: RationaleRequest): Promise<Map<string, string>> {
    if (request.candidates.length === 0) return new Map();
    const answer = await askStructured(deps, {
      operation: 'partner_rationale',
      system: PARTNER_RATIONALE_SYSTEM_PROMPT,
      user: userMessage(request),
      schema: RationalesSchema,
    });
    const wanted = new Set(request.candidates.map((c) => c.companyId));
    const written = new Map(
      answer.rationales
        .filter((r) => wanted.has(r.companyId) && r.rationale.trim())
        .map((r) => [r.companyId, r.rationale.trim()]),
    );
    const missing = request.candidates.filter((c) => !written.has(c.companyId)).length;
    if (missing > 0) throw new UpstreamError(`Claude wrote no rationale for ${missing} of the candidates.`);
    return written;
  };
}

export type RationaleWriter = ReturnType<typeof createClaudeRationaleWriter>;
