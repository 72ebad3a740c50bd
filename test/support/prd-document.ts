import type { AuthoredPrd, PrdDocument, PrdGeneration } from '../../src/contexts/product-definition/contracts';

/** The request `anAuthoredPrd` is grounded in. */
export const DARK_MODE_REQUEST = { title: 'Add dark mode', description: 'The dashboard is too bright at night for night-shift operators.' } as const;

/** What a rule-based assessment costs: no model, no tokens. */
export const RULE_BASED_USAGE: PrdGeneration = {
  agent: 'rule-based',
  model: null,
  promptVersion: 'rule-based/2',
  tokensIn: 0,
  tokensOut: 0,
  calls: 0,
  callMs: 0,
};

/** A complete, valid, grounded PRD document (Product Definition's published language), fields overridable. */
export function aPrdDocument(overrides: Partial<PrdDocument> = {}): PrdDocument {
  return {
    ...anAuthoredPrd(),
    originalRequest: `${DARK_MODE_REQUEST.title}\n\n${DARK_MODE_REQUEST.description}`,
    clarificationLog: [],
    feedback: [],
    generatedBy: RULE_BASED_USAGE,
    ...overrides,
  };
}

/**
 * What an agent writes for the request in `aPrdDocument` (title "Add dark mode", description
 * "The dashboard is too bright at night for night-shift operators."); every item grounded.
 */
export function anAuthoredPrd(overrides: Partial<AuthoredPrd> = {}): AuthoredPrd {
  const request = (quote: string) => [{ kind: 'request' as const, quote }];
  return {
    title: 'Dark mode',
    problem: 'The dashboard is too bright at night.',
    goals: [{ text: 'Operators can work at night without eye strain', sources: request('too bright at night') }],
    nonGoals: [],
    userStories: [
      {
        asA: 'night-shift operator',
        iWant: 'a dark theme',
        soThat: 'my eyes rest',
        sources: request('night-shift operators'),
        acceptanceCriteria: [{ text: 'A toggle switches themes', sources: request('Add dark mode') }],
      },
    ],
    functionalRequirements: [{ id: 'FR-1', description: 'Offer a dark theme', priority: 'P0', sources: request('Add dark mode') }],
    nonFunctionalRequirements: [],
    assumptions: [],
    risks: [],
    successMetrics: [],
    openQuestions: [{ text: 'How will we measure that operators rest their eyes?', sources: [] }],
    changeLog: [],
    ...overrides,
  };
}

/** The rejection feedback `aRevisedPrdDocument` answers (feedback 1, on version 1). */
export const REVISION_FEEDBACK = 'Also offer a high-contrast theme, and remember the choice.';

/**
 * Version 2 of `aPrdDocument`, written by the LLM agent after `REVISION_FEEDBACK`: FR-1 reworded
 * and lowered to P1, FR-2 added, one goal added; everything else as in version 1.
 */
export function aRevisedPrdDocument(overrides: Partial<PrdDocument> = {}): PrdDocument {
  const v1 = aPrdDocument();
  const feedback = (quote: string) => [{ kind: 'feedback' as const, index: 1, quote }];
  return aPrdDocument({
    goals: [...v1.goals, { text: 'Operators with low vision can read the dashboard', sources: feedback('high-contrast theme') }],
    functionalRequirements: [
      { id: 'FR-1', description: 'Offer a dark theme and a high-contrast theme', priority: 'P1', sources: feedback('high-contrast theme') },
      { id: 'FR-2', description: 'Remember the chosen theme per user', priority: 'P1', sources: feedback('remember the choice') },
    ],
    changeLog: [
      { feedback: 1, summary: 'Added a high-contrast theme and remembering the choice', added: ['FR-2'], changed: ['FR-1'], removed: [], sections: ['goals'] },
    ],
    feedback: [{ prdVersion: 1, feedback: REVISION_FEEDBACK }],
    generatedBy: { agent: 'llm', model: 'qwen2.5-7b-instruct', promptVersion: 'prd/3', tokensIn: 1840, tokensOut: 612, calls: 2, callMs: 4210 },
    ...overrides,
  });
}
