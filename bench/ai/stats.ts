/** Percentiles of latencies in milliseconds (nearest-rank). */
export function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    n: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(sorted.at(-1)!),
  };
}

/**
 * Times `run` sequentially `count` times after `warmup` untimed runs; the samples (ms) are also
 * appended to `samples` when given, to pool several runs.
 */
export async function timeSequential(
  count: number,
  warmup: number,
  run: (i: number) => Promise<unknown> | unknown,
  samples: number[] = [],
) {
  for (let i = 0; i < warmup; i++) await run(-1 - i);
  const from = samples.length;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await run(i);
    samples.push(performance.now() - start);
  }
  return percentiles(samples.slice(from));
}
