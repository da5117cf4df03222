import { spawnSync } from 'node:child_process';
import { ROOT } from './repo.js';

/** Runs Debian's promtool (scripts/setup.sh installs the prometheus package); stdin optional. */
export function promtool(args: string[], input?: string) {
  const result = spawnSync('promtool', args, { cwd: ROOT, input, encoding: 'utf8' });
  if (result.error)
    throw new Error(`promtool is not installed (run scripts/setup.sh): ${result.error.message}`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * Metric names an expression selects: every identifier that is not a function call, a keyword, or inside
 * a string, a label matcher, a range, or a `by`/`without`/`on`/`ignoring`/`group_*` label list.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const name = match[1] as string;
    if (!PROMQL_KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}
