import type { Factors } from './partners.scoring.js';

/**
 * A logistic regression over the factor scores: P(candidate is chosen) = σ(b + Σ wᵢ (xᵢ − meanᵢ) / scaleᵢ).
 * A factor with no data for a pair takes its mean, so it adds nothing: unknown is never a mismatch.
 * Fitted by bench/partners (see `fitted` in the data file), never by hand.
 */
export type LogisticModel = {
  intercept: number;
  features: Array<{ factor: keyof Factors; weight: number; mean: number; scale: number }>;
  fitted: {
    script: string;
    data: string;
    split: string;
    examples: number;
    positives: number;
    l2: number;
    date: string;
  };
};

export type Driver = { factor: keyof Factors; value: number; contribution: number };

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The model's probability for one pair, and each factor's pull on the log-odds (strongest first). */
export function logisticScore(
  model: LogisticModel,
  factors: Factors,
  unknown: ReadonlySet<keyof Factors>,
): { score: number; drivers: Driver[] } {
  let logit = model.intercept;
  const drivers: Driver[] = [];
  for (const f of model.features) {
    if (unknown.has(f.factor)) continue;
    const contribution = (f.weight * (factors[f.factor] - f.mean)) / f.scale;
    logit += contribution;
    drivers.push({ factor: f.factor, value: factors[f.factor], contribution: round(contribution) });
  }
  drivers.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { score: round(1 / (1 + Math.exp(-logit)), 6), drivers };
}
