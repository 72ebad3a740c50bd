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
