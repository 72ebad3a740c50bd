import type { AuthoredPrd } from '../../src/contexts/product-definition/contracts';

/**
 * The scripted LLM's side of one workflow (an invoice export request): the request, the answer to
 * its one question, the feedback on version 1, and the two versions it writes, each statement
 * quoting what people wrote. Used by the tests that run the LLM agent against a fake server.
 */
export const REQUEST = { title: 'Export invoices as CSV', description: 'Finance needs monthly invoice exports they can open in a spreadsheet.' };
export const ANSWER = 'Accountants in the finance team; each month they export up to 5,000 invoices and it must finish within 30 seconds.';
export const FEEDBACK = "Add the invoice's due date as a column.";

const answer1 = (quote: string) => [{ kind: 'answer' as const, index: 1, quote }];
const request = (quote: string) => [{ kind: 'request' as const, quote }];

/** What the scripted model writes for version 1: every statement quotes the request or the answer. */
export const VERSION_1: AuthoredPrd = {
  title: 'Invoice CSV export',
  problem: 'Finance cannot open invoice data in a spreadsheet.',
  goals: [{ text: 'Accountants export a month of invoices to a spreadsheet', sources: [...request('monthly invoice exports'), ...answer1('Accountants')] }],
  nonGoals: [],
  userStories: [
    {
      asA: 'accountant in the finance team',
      iWant: 'to export one month of invoices as CSV',
      soThat: 'I can open them in a spreadsheet',
      sources: [...answer1('Accountants in the finance team'), ...request('open in a spreadsheet')],
      acceptanceCriteria: [
        { text: 'An export of 5,000 invoices finishes within 30 seconds', sources: answer1('up to 5,000 invoices and it must finish within 30 seconds') },
      ],
    },
  ],
  functionalRequirements: [
    { id: 'FR-1', description: 'Export one month of invoices as a CSV file', priority: 'P0', sources: request('monthly invoice exports') },
  ],
  nonFunctionalRequirements: [
    {
      id: 'NFR-1',
      description: 'An export of up to 5,000 invoices finishes within 30 seconds',
      priority: 'P0',
      sources: answer1('export up to 5,000 invoices and it must finish within 30 seconds'),
    },
  ],
  assumptions: [],
  risks: [],
  successMetrics: [],
  openQuestions: [{ text: 'Which measurable target shows the export helps finance?', sources: [] }],
  changeLog: [],
};

/** Version 2 answers the feedback with one new requirement and says so. */
export const VERSION_2: AuthoredPrd = {
  ...VERSION_1,
  functionalRequirements: [
    ...VERSION_1.functionalRequirements,
    {
      id: 'FR-2',
      description: "Include each invoice's due date as a column",
      priority: 'P1',
      sources: [{ kind: 'feedback', index: 1, quote: "the invoice's due date as a column" }],
    },
  ],
  changeLog: [{ feedback: 1, summary: 'Added the due date column the reviewer asked for', added: ['FR-2'], changed: [], removed: [], sections: [] }],
};
