import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** Reusable prompts for assistants: a due-diligence checklist and a deal-memo review. `check` may refuse. */
export function registerPrompts(server: McpServer, check: () => void) {
  const userPrompt = (text: string) => {
    check();
    return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] };
  };
  server.registerPrompt(
    'due_diligence_checklist',
    {
      title: 'Due-diligence checklist',
      description:
        'Build a prioritised due-diligence checklist for a target, using the platform tools for facts.',
      argsSchema: {
        target: z.string().describe('Target company name'),
        sector: z.string().describe('Sector of the target'),
        focus: z.string().optional().describe('Areas to emphasise, e.g. "customer concentration, IP"'),
      },
    },
    ({ target, sector, focus }) =>
      userPrompt(
        `Prepare a due-diligence checklist for ${target} (${sector}). ` +
          'First call search_documents for the target and get_company if it is in the ecosystem; if financials ' +
          'are known, call analyze_deal. Then list the workstreams (financial/QoE, net debt and working capital, ' +
          'commercial, legal, tax, people, IT/cyber, regulatory, ESG) with concrete requests, most important first' +
          `${focus ? `, emphasising ${focus}` : ''}. Cite document ids for every fact you use.`,
      ),
  );
  server.registerPrompt(
    'deal_memo_review',
    {
      title: 'Deal memo review',
      description:
        'Critically review an investment or deal memo: thesis, valuation, risks and missing diligence.',
      argsSchema: {
        memo: z.string().describe('The memo text, or a document id to fetch with get_document'),
      },
    },
    ({ memo }) =>
      userPrompt(
        'Review this deal memo as an investment-committee member. Test the thesis, check the valuation ' +
          'against sector benchmarks (analyze_deal gives EV/EBITDA and EV/Revenue ranges), list unaddressed ' +
          'risks with severity, and the diligence still missing. Memo:\n\n' +
          memo,
      ),
  );
}
