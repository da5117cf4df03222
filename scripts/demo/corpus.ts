import { COMPANIES, type DemoCompany } from './companies.js';
import {
  BOARD_SEATS,
  CUSTOMERS,
  DEALS,
  type DemoDeal,
  INVESTMENTS,
  PARTNERSHIPS,
  SUPPLIES,
} from './deals.js';

export type DemoDocument = {
  externalId: string;
  kind: 'company_profile' | 'deal_memo' | 'cim' | 'news' | 'note';
  title: string;
  content: string;
  /** The company the document is about (its ref); the seed turns it into metadata.companyId. */
  companyRef: string;
  metadata: { industry: string; region: string; dealSizeUsd?: number; tags: string[]; publishedAt: string };
};
export type DemoRelationship = {
  from: string;
  to: string;
  kind: 'investor' | 'partner' | 'supplier' | 'customer' | 'board' | 'acquirer' | 'advisor';
  strength: number;
  source: string;
  since: string;
};
/** A labelled query: externalIds of relevant documents with a grade (2 = the answer, 1 = related). */
export type DemoQuery = { query: string; relevant: Record<string, 1 | 2> };

const byRef = new Map(COMPANIES.map((c) => [c.ref, c]));
const co = (ref: string): DemoCompany => {
  const c = byRef.get(ref);
  if (!c) throw new Error(`unknown company ${ref}`);
  return c;
};
const usd = (m: number) => (m >= 1000 ? `USD ${(m / 1000).toFixed(1)} billion` : `USD ${m} million`);
const date = (year: number, month: number, day = 15) =>
  new Date(Date.UTC(year, month - 1, day)).toISOString();
/** Stable small variations from a string (no randomness: the corpus is identical on every run). */
const pick = <T>(key: string, items: readonly T[]): T => {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return items[h % items.length]!;
};
const possessive = (name: string) => (name.endsWith('s') ? `${name}'` : `${name}'s`);
const meta = (c: DemoCompany, publishedAt: string, dealSizeUsd?: number) => ({
  industry: c.industry,
  region: c.region,
  tags: c.tags,
  publishedAt,
  ...(dealSizeUsd !== undefined ? { dealSizeUsd } : {}),
});

function profile(c: DemoCompany): DemoDocument {
  const margin = pick(c.ref, [8, 12, 15, 18, 22, 27]);
  return {
    externalId: `profile-${c.ref}`,
    kind: 'company_profile',
    title: `${c.name} — company profile`,
    companyRef: c.ref,
    metadata: meta(c, date(2024, 1 + (c.founded % 12), 1)),
    content: [
      `${c.name} provides ${c.description}. Founded in ${c.founded} and headquartered in ${c.hq}, it operates in the ${c.industry} sector in ${c.region}.`,
      `The company employs about ${c.employees.toLocaleString('en-US')} people and reported revenue of ${usd(c.revenueUsd / 1e6)} last year, with an EBITDA margin near ${margin}%. Its main offerings are ${c.tags.join(', ')}.`,
      `Management sees growth in ${c.tags[0]} and is ${pick(c.name, ['open to strategic partnerships', 'considering bolt-on acquisitions', 'preparing for a capital raise', 'focused on organic expansion'])}.`,
    ].join('\n\n'),
  };
}

function memo(d: DemoDeal): DemoDocument {
  const a = co(d.acquirer);
  const t = co(d.target);
  const multiple = (d.sizeUsdM / (t.revenueUsd / 1e6)).toFixed(1);
  return {
    externalId: `memo-${d.code.toLowerCase()}`,
    kind: 'deal_memo',
    title: `Project ${d.code}: ${a.name} / ${t.name}`,
    companyRef: t.ref,
    metadata: meta(t, date(d.year, 3), d.sizeUsdM * 1e6),
    content: [
      `Summary. ${a.name} proposes to acquire 100% of ${t.name}, which provides ${t.description}. The offer values the business at ${usd(d.sizeUsdM)}, about ${multiple} times revenue.`,
      `Rationale. The transaction would ${d.rationale}. ${t.name} brings ${t.tags.join(', ')} capabilities and roughly ${t.employees.toLocaleString('en-US')} staff in ${t.hq}.`,
      `Synergies. We expect cost savings in procurement and overhead and revenue synergies from cross-selling to ${possessive(a.name)} existing customers in ${a.region}.`,
      `Risks. Integration of management teams, regulatory approvals in ${t.region}, and customer concentration in the ${t.industry.toLowerCase()} segment. ${co(d.advisor).name} advises the buyer.`,
    ].join('\n\n'),
  };
}

function dealNews(d: DemoDeal): DemoDocument {
  const a = co(d.acquirer);
  const t = co(d.target);
  const verb = pick(d.code, ['to buy', 'agrees to acquire', 'snaps up', 'to take over']);
  return {
    externalId: `news-deal-${d.code.toLowerCase()}`,
    kind: 'news',
    title: `${a.name} ${verb} ${t.name} for ${usd(d.sizeUsdM)}`,
    companyRef: t.ref,
    metadata: meta(t, date(d.year, 5), d.sizeUsdM * 1e6),
    content: [
      `${a.name} said it agreed to buy ${t.hq}-based ${t.name} in a deal worth ${usd(d.sizeUsdM)}. The target provides ${t.description}.`,
      `The buyer said the acquisition will ${d.rationale}. Closing is expected later in ${d.year}, subject to regulatory approval. ${co(d.advisor).name} acted as financial adviser.`,
    ].join('\n\n'),
  };
}

function cim(d: DemoDeal): DemoDocument {
  const t = co(d.target);
  return {
    externalId: `cim-${t.ref}`,
    kind: 'cim',
    title: `Confidential Information Memorandum — ${t.name}`,
    companyRef: t.ref,
    metadata: meta(t, date(d.year - 1, 11), d.sizeUsdM * 1e6),
    content: [
      `Business overview. ${t.name} provides ${t.description}. It was founded in ${t.founded} and is based in ${t.hq}.`,
      `Products and customers. Revenue comes from ${t.tags.join(', ')}. The top ten customers account for about ${pick(t.ref, [18, 24, 31, 37])}% of sales; contracts are mostly multi-year.`,
      `Financials. Revenue of ${usd(t.revenueUsd / 1e6)}, growing ${pick(t.name, [9, 14, 21, 28])}% a year, with ${t.employees.toLocaleString('en-US')} employees.`,
      `Transaction. The shareholders invite offers for a majority stake; ${co(d.advisor).name} runs the sale process.`,
    ].join('\n\n'),
  };
}

function advisorNote(d: DemoDeal): DemoDocument {
  const t = co(d.target);
  const adv = co(d.advisor);
  return {
    externalId: `note-${d.code.toLowerCase()}`,
    kind: 'note',
    title: `Call note: ${adv.name} on ${t.name}`,
    companyRef: t.ref,
    metadata: meta(t, date(d.year, 2)),
    content: `Spoke with the ${adv.name} deal team about ${t.name}. Management expects another strong year in ${t.tags[0]}. Other bidders are circling; ${co(d.acquirer).name} looks like the most motivated buyer. Next step: request the data room and a management meeting.`,
  };
}

function fundingNews(investor: string, company: string, i: number): DemoDocument {
  const v = co(investor);
  const c = co(company);
  const round = pick(company + investor, ['Series A', 'Series B', 'Series C', 'growth round']);
  const size = pick(company, [12, 25, 40, 60, 85, 120]);
  return {
    externalId: `news-funding-${investor}-${company}`,
    kind: 'news',
    title: `${c.name} raises ${usd(size)} ${round} led by ${v.name}`,
    companyRef: c.ref,
    metadata: meta(c, date(2021 + (i % 4), 1 + (i % 12), 10), size * 1e6),
    content: `${c.name}, which provides ${c.description}, raised ${usd(size)} in a ${round} led by ${v.name}. The money will fund hiring and expansion of its ${c.tags[0]} business in ${c.region}. ${v.name} invests in ${v.tags.join(', ')}.`,
  };
}

function partnershipNews(a: string, b: string, i: number): DemoDocument {
  const x = co(a);
  const y = co(b);
  return {
    externalId: `news-partner-${a}-${b}`,
    kind: 'news',
    title: `${x.name} and ${y.name} announce a commercial partnership`,
    companyRef: x.ref,
    metadata: meta(x, date(2022 + (i % 3), 1 + ((i * 5) % 12), 20)),
    content: `${x.name} and ${y.name} will combine ${x.tags[0]} with ${y.tags[0]} for joint customers. The partners plan a shared offering in ${x.region === y.region ? x.region : `${x.region} and ${y.region}`} next year.`,
  };
}

function pipelineNote(c: DemoCompany): DemoDocument {
  return {
    externalId: `note-pipeline-${c.ref}`,
    kind: 'note',
    title: `Pipeline note: ${c.name}`,
    companyRef: c.ref,
    metadata: meta(c, date(2024, 9)),
    content: `Screened ${c.name} as a possible target. Attractive position in ${c.tags.slice(0, 2).join(' and ')}; revenue about ${usd(c.revenueUsd / 1e6)}. Founder-owned and not yet advised; worth an introductory call.`,
  };
}

export function buildCorpus() {
  const documents: DemoDocument[] = [...COMPANIES.map(profile)];
  const relationships: DemoRelationship[] = [];
  const queries: DemoQuery[] = [];
  const mentions = new Map<string, string[]>(); // company ref → documents about it
  const mention = (ref: string, id: string) => mentions.set(ref, [...(mentions.get(ref) ?? []), id]);

  DEALS.forEach((d, i) => {
    const docs = [
      memo(d),
      dealNews(d),
      ...(i < 16 ? [cim(d)] : []),
      ...(i % 2 === 0 ? [advisorNote(d)] : []),
    ];
    documents.push(...docs);
    for (const doc of docs) mention(d.target, doc.externalId);
    relationships.push({
      from: d.acquirer,
      to: d.target,
      kind: 'acquirer',
      strength: 1,
      source: `Project ${d.code}`,
      since: date(d.year, 6),
    });
    relationships.push({
      from: d.advisor,
      to: d.acquirer,
      kind: 'advisor',
      strength: 0.6,
      source: `Project ${d.code}`,
      since: date(d.year, 1),
    });
  });
  let n = 0;
  for (const [investor, portfolio] of INVESTMENTS) {
    for (const company of portfolio) {
      const doc = fundingNews(investor, company, n++);
      documents.push(doc);
      mention(company, doc.externalId);
      relationships.push({
        from: investor,
        to: company,
        kind: 'investor',
        strength: 0.7,
        source: doc.title,
        since: doc.metadata.publishedAt,
      });
    }
  }
  PARTNERSHIPS.forEach(([a, b], i) => {
    relationships.push({
      from: a,
      to: b,
      kind: 'partner',
      strength: 0.5 + (i % 5) / 10,
      source: 'press release',
      since: date(2022 + (i % 3), 4),
    });
    if (i < 12) {
      const doc = partnershipNews(a, b, i);
      documents.push(doc);
      mention(a, doc.externalId);
      mention(b, doc.externalId);
    }
  });
  const edges = (
    pairs: Array<[string, string]>,
    kind: DemoRelationship['kind'],
    source: string,
    shape: (i: number) => { strength: number; since: string },
  ) => {
    for (const [i, [from, to]] of pairs.entries())
      relationships.push({ from, to, kind, source, ...shape(i) });
  };
  edges(SUPPLIES, 'supplier', 'supply agreement', (i) => ({
    strength: 0.4 + (i % 4) / 10,
    since: date(2020 + (i % 4), 7),
  }));
  edges(CUSTOMERS, 'customer', 'customer reference', (i) => ({
    strength: 0.3 + (i % 5) / 10,
    since: date(2021 + (i % 3), 9),
  }));
  edges(BOARD_SEATS, 'board', 'board of directors', () => ({ strength: 0.9, since: date(2022, 1) }));
  const acquired = new Set(DEALS.map((d) => d.target));
  for (const c of COMPANIES.filter((x) => !acquired.has(x.ref)).slice(0, 12)) {
    const doc = pipelineNote(c);
    documents.push(doc);
    mention(c.ref, doc.externalId);
  }

  // Labelled queries, derived from the corpus structure (never from search results).
  for (const c of COMPANIES) {
    const relevant: Record<string, 1 | 2> = { [`profile-${c.ref}`]: 2 };
    for (const id of mentions.get(c.ref) ?? []) relevant[id] = id.startsWith('cim-') ? 2 : 1;
    queries.push({ query: `${c.tags[0]} and ${c.tags[1]} company in ${c.region}`, relevant });
  }
  for (const d of DEALS) {
    const a = co(d.acquirer);
    const t = co(d.target);
    const relevant: Record<string, 1 | 2> = {
      [`memo-${d.code.toLowerCase()}`]: 2,
      [`news-deal-${d.code.toLowerCase()}`]: 2,
    };
    for (const id of mentions.get(t.ref) ?? []) relevant[id] ??= 1;
    queries.push({ query: `${a.name} acquisition of ${t.name}`, relevant });
    queries.push({
      query: `takeover of a ${t.tags[0]} business by a ${a.industry.toLowerCase()} buyer`,
      relevant,
    });
  }
  for (const [investor, portfolio] of INVESTMENTS.filter(([, p]) => p.length >= 3)) {
    const relevant = Object.fromEntries(portfolio.map((c) => [`news-funding-${investor}-${c}`, 2 as const]));
    queries.push({ query: `funding rounds led by ${co(investor).name}`, relevant });
  }
  // One edge per (from, to, kind), as the service stores them: an advisor on two deals of one buyer.
  const unique = [...new Map(relationships.map((r) => [`${r.from}>${r.to}>${r.kind}`, r])).values()];
  return { companies: COMPANIES, documents, relationships: unique, queries };
}
