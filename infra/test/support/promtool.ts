import { spawnSync } from 'node:child_process';
import { ROOT } from './repo.js';

/** Runs Debian's promtool (scripts/setup.sh installs the prometheus package); stdin optional. */
export function promtool(args: string[], input?: string) {
  const result = spawnSync('promtool', args, { cwd: ROOT, input, encoding: 'utf8' });
  if (result.error)
    throw new Error(`promtool is not installed (run scripts/setup.sh): ${result.error.message}`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
]);

/** Metric names an expression selects (identifiers followed by a label matcher or a range). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{|\[)/g)) {
    const name = match[1] as string;
    if (!PROMQL_WORDS.has(name)) names.add(name);
  }
  return [...names];
}
