import type { DealInput } from '@mna/shared';
import { doc, type StandInDocument } from './search-stand-in.js';

/**
 * The CIM of issue 15's Halcyon case (fictional company, written for this test): a class action, a
 * formal SEC investigation, an auditor who resigned, one customer at 62 % of revenue on an expiring
 * contract, the CFO and head of sales gone; plus a negated and a hedged sentence that must not fire.
 */
export function halcyonCim(): StandInDocument {
  return doc({
    kind: 'cim',
    title: 'Confidential Information Memorandum — Halcyon Robotics',
    content: [
      'Business overview. Halcyon Robotics designs autonomous picking robots for e-commerce warehouses and sells them with a five-year service plan. The company was founded in 2016, employs 410 people and operates two assembly sites in Ohio and Monterrey. Revenue grew 18% in 2025 to USD 142 million with an adjusted EBITDA margin of 21%.',
      'Customers. One customer, a national grocery chain, accounted for 62 % of revenue in 2025 under a supply contract that expires in June 2026 and has not been renewed. The next four customers together accounted for 17% of revenue. The order backlog stands at USD 96 million.',
      'Legal proceedings. In February 2026 a putative securities class action was filed against the company and two former officers in the U.S. District Court for the Southern District of Ohio, alleging misstatements about revenue recognition on multi-element contracts. No other litigation is pending against the company.',
      'Regulatory matters. In January 2026 the company received a subpoena and the SEC opened a formal investigation into the company’s revenue recognition practices for the years 2023 to 2025. The company is cooperating with the investigation.',
      'Auditors. Our former independent registered public accounting firm resigned in December 2025 after raising concerns about revenue recognition on bill-and-hold arrangements; a successor firm was engaged in January 2026.',
      'Management. The chief financial officer resigned in March 2026 and the head of sales left the company in April 2026; both positions are filled on an interim basis. We could lose other key employees if the sale process is prolonged.',
      'Technology. The robots run the company’s own navigation software; patents cover the gripper design and the fleet scheduler. Manufacturing relies on two contract suppliers of motors and vision sensors, each under multi-year agreements.',
      'Transaction. The shareholders invite offers for 100% of the shares on a cash-free, debt-free basis; indicative offers are due by 15 May 2026 and the data room opens on acceptance of the process letter.',
    ].join('\n\n'),
  });
}

/** An ordinary deal on paper: 14.8x EV/EBITDA, growing, modest leverage. */
export function halcyonDeal(documentIds: string[]): DealInput {
  return {
    target: 'Halcyon Robotics',
    sector: 'Industrial automation',
    geography: 'North America',
    financials: {
      currency: 'USD',
      revenue: 142,
      ebitda: 29.8,
      revenueGrowthPct: 18,
      netDebt: 30,
      enterpriseValue: 441,
    },
    documentIds,
  };
}
