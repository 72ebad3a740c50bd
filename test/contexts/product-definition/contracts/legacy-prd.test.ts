import { prdDocumentSchema, storedPrdDocumentSchema } from '../../../../src/contexts/product-definition/contracts';

/** A PRD as stored before items carried sources. */
const legacy = {
  title: 'Dark mode',
  problem: 'Too bright at night.',
  goals: ['Work at night without eye strain'],
  nonGoals: [],
  userStories: [{ asA: 'operator', iWant: 'a dark theme', soThat: 'my eyes rest', acceptanceCriteria: ['A toggle switches themes'] }],
  functionalRequirements: [{ id: 'FR-1', description: 'Offer a dark theme', priority: 'P0' }],
  nonFunctionalRequirements: [],
  assumptions: ['Existing behaviour stays'],
  risks: [],
  successMetrics: ['Fewer complaints'],
  openQuestions: [],
  originalRequest: 'Add dark mode',
  clarificationLog: [],
  feedbackAddressed: ['v1: "add a toggle" → added as requirement FR-1 (P0)'],
};

describe('a PRD stored before sources existed', () => {
  it('is still read, its items without sources and its feedback notes as the change log', () => {
    expect(prdDocumentSchema.safeParse(legacy).success).toBe(false);

    const upgraded = storedPrdDocumentSchema.parse(legacy);

    expect(upgraded.goals).toEqual([{ text: 'Work at night without eye strain', sources: [] }]);
    expect(upgraded.userStories[0]?.acceptanceCriteria).toEqual([{ text: 'A toggle switches themes', sources: [] }]);
    expect(upgraded.functionalRequirements[0]).toEqual({ id: 'FR-1', description: 'Offer a dark theme', priority: 'P0', sources: [] });
    expect(upgraded.changeLog).toEqual([
      { feedback: null, summary: 'v1: "add a toggle" → added as requirement FR-1 (P0)', added: [], changed: [], removed: [], sections: [] },
    ]);
    expect(upgraded.generatedBy).toMatchObject({ agent: 'rule-based', promptVersion: 'before-provenance' });
  });
});
