import type { PrdDocument } from '../../src/contexts/product-definition/contracts';

/** A complete, valid PRD document (Product Definition's published language), fields overridable. */
export function aPrdDocument(overrides: Partial<PrdDocument> = {}): PrdDocument {
  return {
    title: 'Dark mode',
    problem: 'The dashboard is too bright at night.',
    goals: ['Operators can work at night without eye strain'],
    nonGoals: [],
    userStories: [{ asA: 'night-shift operator', iWant: 'a dark theme', soThat: 'my eyes rest', acceptanceCriteria: ['A toggle switches themes'] }],
    functionalRequirements: [{ id: 'FR-1', description: 'Offer a dark theme', priority: 'P0' }],
    nonFunctionalRequirements: [],
    assumptions: [],
    risks: [],
    successMetrics: ['Fewer eye-strain complaints'],
    openQuestions: [],
    originalRequest: 'Add dark mode',
    clarificationLog: [],
    feedbackAddressed: [],
    ...overrides,
  };
}
