import type { DemoDocument } from './corpus.js';

/**
 * Due-diligence documents whose text changes a deal analysis (issue 15): on paper PrintForge is an
 * ordinary deal (about 13x EV/EBITDA); its vendor due-diligence report states a class action, a
 * regulatory investigation, an auditor's resignation, one customer at 58 % of revenue and a CFO who
 * left. Analysing PrintForge (the report is named in `documentIds`, or found by the search for the
 * target) answers `pass`, each risk quoting its sentence, where the same figures without such a document
 * answer `proceed`. Kept out of `buildCorpus` so the search relevance benchmark is unchanged.
 */
export const RED_FLAG_DOCUMENTS: DemoDocument[] = [
  {
    externalId: 'vdd-printforge-2025',
    kind: 'deal_memo',
    title: 'Vendor due-diligence report — PrintForge',
    companyRef: 'printforge',
    metadata: {
      industry: 'Industrial Automation',
      region: 'Europe',
      tags: ['additive manufacturing', 'due diligence'],
      publishedAt: '2025-10-15T00:00:00.000Z',
    },
    content: [
      'Scope. This report covers PrintForge SAS, a Lyon-based maker of metal 3D-printed parts for aerospace and medical customers, for the years 2023 to 2025.',
      'Customers. One aerospace customer accounted for 58 % of revenue in 2025; its framework agreement contains a change-of-control clause allowing termination on a sale of the company.',
      'Legal. In June 2025 a class action was filed against the company by patients implanted with its titanium spinal cages. No other claims are pending.',
      'Regulatory. The French medicines agency (ANSM) opened a regulatory investigation into the sterilisation records of the medical parts line in August 2025.',
      'Audit and people. The statutory auditor resigned in September 2025 citing disagreements over inventory valuation. The chief financial officer left the company in October 2025.',
      'Financials. Revenue of EUR 46 million grew 14 % in 2025 with an EBITDA margin of 19 %; net debt is 1.2 times EBITDA.',
    ].join('\n\n'),
  },
];

/** The deal to try with and without the report (see the seed's closing message). */
export const RED_FLAG_DEAL = {
  target: 'PrintForge',
  sector: 'Industrial automation',
  financials: {
    currency: 'EUR',
    revenue: 46,
    ebitda: 8.7,
    revenueGrowthPct: 14,
    netDebt: 10.4,
    enterpriseValue: 113,
  },
};
