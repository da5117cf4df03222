import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';

/** One acquisition of the CrunchBase export (acquisitions.csv), as the evaluation reads it. */
export type Deal = {
  target: string;
  acquirer: string;
  year: number;
};
export type CompanyProfile = { ref: string; name: string; tags: string[]; region: string | null };
export type Acquisitions = { deals: Deal[]; profiles: Map<string, CompanyProfile> };

const tagsOf = (list: string | undefined) =>
  (list ?? '')
    .split('|')
    .map((t) => t.trim())
    .filter(Boolean);
const regionOf = (country?: string, region?: string) =>
  country && region ? `${country} / ${region}` : country || null;

/** Deals with a date, and every company's profile (categories as tags, country / region). */
export function readAcquisitions(csv: string): Acquisitions {
  const rows = parse(csv, {
    columns: true,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  const deals: Deal[] = [];
  const profiles = new Map<string, CompanyProfile>();
  for (const r of rows) {
    const year = Number(r.acquired_at?.slice(0, 4));
    if (!r.company_permalink || !r.acquirer_permalink || !Number.isInteger(year) || year < 1900) continue;
    deals.push({ target: r.company_permalink, acquirer: r.acquirer_permalink, year });
    if (!profiles.has(r.company_permalink))
      profiles.set(r.company_permalink, {
        ref: r.company_permalink,
        name: r.company_name || r.company_permalink,
        tags: tagsOf(r.company_category_list),
        region: regionOf(r.company_country_code, r.company_region),
      });
    // An acquirer's own row wins over its appearance as a target: it is the profile it is known by.
    profiles.set(r.acquirer_permalink, {
      ref: r.acquirer_permalink,
      name: r.acquirer_name || r.acquirer_permalink,
      tags: tagsOf(r.acquirer_category_list),
      region: regionOf(r.acquirer_country_code, r.acquirer_region),
    });
  }
  return { deals, profiles };
}

export const stableHash = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Acquirers with `min`–`max` acquisitions; with `sample`, that many of them chosen by the hash of
 * their permalink (blind to outcomes), so a run fits the machine.
 */
export function chooseAcquirers(deals: Deal[], options: { min: number; max: number; sample?: number }) {
  const counts = new Map<string, number>();
  for (const d of deals) counts.set(d.acquirer, (counts.get(d.acquirer) ?? 0) + 1);
  const eligible = [...counts]
    .filter(([, n]) => n >= options.min && n <= options.max)
    .map(([a]) => a)
    .sort((a, b) => (stableHash(a) < stableHash(b) ? -1 : 1));
  return new Set(options.sample ? eligible.slice(0, options.sample) : eligible);
}

/** One out-of-time window: ties known up to `knownUntil`, outcomes in `(knownUntil, until]`. */
export type Window = { name: string; knownUntil: number; until: number };
export type Task = { acquirer: string; relevant: Set<string>; owned: Set<string> };

/**
 * The tenant's companies (every company the chosen acquirers bought, and the acquirers), the ties the
 * platform would know at the window's start (acquirer → target, deals up to `knownUntil`), and one task
 * per acquirer with an acquisition in the window: rank every other company; relevant = what it bought.
 */
export function buildWindow(data: Acquisitions, acquirers: Set<string>, window: Window) {
  const chosen = data.deals.filter((d) => acquirers.has(d.acquirer));
  const companies = new Set<string>();
  for (const d of chosen) companies.add(d.target).add(d.acquirer);
  const ties = chosen.filter((d) => d.year <= window.knownUntil && d.target !== d.acquirer);
  const tasks = new Map<string, Task>();
  for (const d of chosen) {
    if (d.year <= window.knownUntil || d.year > window.until || d.target === d.acquirer) continue;
    const task = tasks.get(d.acquirer) ?? { acquirer: d.acquirer, relevant: new Set(), owned: new Set() };
    task.relevant.add(d.target);
    tasks.set(d.acquirer, task);
  }
  for (const t of ties) tasks.get(t.acquirer)?.owned.add(t.target);
  // A company it already owned before the window is no outcome to predict.
  for (const task of tasks.values()) for (const o of task.owned) task.relevant.delete(o);
  const list = [...tasks.values()].filter((t) => t.relevant.size > 0);
  return { companies: [...companies].sort(), ties, tasks: list };
}
