import type { Factors } from '../../apps/ai-service/src/modules/ecosystem/partners.scoring.js';

export type Row = { factors: Factors; unknown: Set<keyof Factors>; label: 0 | 1 };

/**
 * L2-regularised logistic regression by Newton's method (IRLS) on standardised factors. A factor
 * unknown for a row takes the factor's mean over the rows where it is known, i.e. 0 after
 * standardising: it adds nothing to that row's log-odds, as the service scores it.
 */
export function fitLogistic(rows: Row[], factors: Array<keyof Factors>, l2: number) {
  const stats = factors.map((f) => {
    const known = rows.filter((r) => !r.unknown.has(f)).map((r) => r.factors[f]);
    const mean = known.reduce((s, v) => s + v, 0) / (known.length || 1);
    const sd = Math.sqrt(known.reduce((s, v) => s + (v - mean) ** 2, 0) / (known.length || 1));
    return { factor: f, mean, scale: sd > 1e-9 ? sd : 1 };
  });
  const x = rows.map((r) => [
    1,
    ...stats.map((s) => (r.unknown.has(s.factor) ? 0 : (r.factors[s.factor] - s.mean) / s.scale)),
  ]);
  const d = factors.length + 1;
  let w = new Array<number>(d).fill(0);
  for (let iteration = 0; iteration < 25; iteration++) {
    const gradient = new Array<number>(d).fill(0);
    const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((xi, i) => {
      const p = 1 / (1 + Math.exp(-xi.reduce((s, v, j) => s + v * w[j]!, 0)));
      const g = p - rows[i]!.label;
      const h = p * (1 - p);
      for (let a = 0; a < d; a++) {
        gradient[a]! += g * xi[a]!;
        for (let b = 0; b < d; b++) hessian[a]![b]! += h * xi[a]! * xi[b]!;
      }
    });
    // The intercept is not penalised.
    for (let a = 1; a < d; a++) {
      gradient[a]! += l2 * w[a]!;
      hessian[a]![a]! += l2;
    }
    const step = solve(hessian, gradient);
    w = w.map((v, j) => v - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    intercept: r6(w[0]!),
    features: stats.map((s, j) => ({
      factor: s.factor,
      weight: r6(w[j + 1]!),
      mean: r6(s.mean),
      scale: r6(s.scale),
    })),
  };
}

/** Gaussian elimination with partial pivoting: a x = b. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const out = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * out[k]!;
    out[r] = s / m[r]![r]!;
  }
  return out;
}
