import { readdirSync } from 'node:fs';
import { metricNames } from './promtool.js';
import { readJson, readYaml, repoPath } from './repo.js';

export type Rule = {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

export const ruleFiles = readdirSync(repoPath('infra/prometheus/rules')).map(
  (f) => `infra/prometheus/rules/${f}`,
);
export const rules = ruleFiles.flatMap((file) =>
  readYaml<{ groups: Array<{ rules: Rule[] }> }>(file).groups.flatMap((g) => g.rules),
);
export const dashboard = readJson<{ panels: Array<{ type: string; targets?: Array<{ expr: string }> }> }>(
  'infra/grafana/dashboards/mna-platform.json',
);
/** Series that come from Prometheus itself (scrape health, alert state), not from a service. */
export const FROM_PROMETHEUS = new Set(['up', 'ALERTS']);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

/** Every metric a service must export for the rules and the dashboard (recorded series resolved). */
export function queriedMetricNames(): string[] {
  const exprs = [
    ...rules.map((r) => r.expr),
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ];
  return [...new Set(exprs.flatMap(metricNames))].filter((n) => !recorded.has(n) && !FROM_PROMETHEUS.has(n));
}

/** Label matchers that name what a service exports (not what traffic creates: route, status, le). */
const IDENTITY_LABELS = new Set(['queue', 'dependency', 'state', 'service']);
export type Selector = { metric: string; matchers: Array<{ label: string; op: '=' | '=~'; value: string }> };

/** The selectors of an expression: metric name and its positive matchers on identity labels. */
function selectorsOf(expr: string): Selector[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)].map((m) => ({
    metric: m[1] as string,
    matchers: [...(m[2] as string).matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)]
      .filter(([, label, op]) => IDENTITY_LABELS.has(label as string) && (op === '=' || op === '=~'))
      .map(([, label, op, value]) => ({
        label: label as string,
        op: op as '=' | '=~',
        value: value as string,
      })),
  }));
}

/**
 * The series every rule selects, as raw metrics: a selector on a recorded series (`queue:...{queue="x"}`)
 * becomes the selectors of its recording rule with the same matchers added, so an alert on a queue that no
 * service exports is found even behind a recording rule.
 */
export function ruleSelectors(): Array<Selector & { rule: string }> {
  const records = new Map(rules.flatMap((r) => (r.record ? [[r.record, r.expr] as const] : [])));
  const expand = (selector: Selector): Selector[] => {
    const source = records.get(selector.metric);
    if (!source) return [selector];
    const inner = [
      ...selectorsOf(source),
      ...metricNames(source).map((metric) => ({ metric, matchers: [] })),
    ];
    return inner.flatMap((s) =>
      expand({ metric: s.metric, matchers: [...s.matchers, ...selector.matchers] }),
    );
  };
  return rules.flatMap((rule) => {
    const bare = metricNames(rule.expr).map((metric) => ({ metric, matchers: [] }));
    return [...selectorsOf(rule.expr), ...bare]
      .flatMap(expand)
      .filter((s) => !FROM_PROMETHEUS.has(s.metric))
      .map((s) => ({ ...s, rule: rule.alert ?? rule.record ?? '' }));
  });
}

/** Whether an exposition text (one service's /metrics) holds a series that the selector matches. */
export function exportsSeries(text: string, selector: Selector): boolean {
  const names = [selector.metric, `${selector.metric}_bucket`, `${selector.metric}_count`];
  return text.split('\n').some((line) => {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+/);
    if (!m || !names.includes(m[1] as string)) return false;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    return selector.matchers.every(({ label, op, value }) =>
      op === '=' ? labels[label] === value : new RegExp(`^(?:${value})$`).test(labels[label] ?? ''),
    );
  });
}
