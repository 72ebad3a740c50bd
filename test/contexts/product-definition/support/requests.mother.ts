import type { AssessmentInput } from '../../../../src/contexts/product-definition/domain/product-manager-agent';

/** Requests as people write them, from hopeless to complete. */
export const VAGUE_REQUEST = { title: 'Make the dashboard better', description: 'Make the dashboard better' };

export const COMPLETE_REQUEST = {
  title: 'Add dark mode for the dashboard',
  description: [
    'Problem: Operators on the night shift find the bright dashboard tiring and miss alerts in a dark control room.',
    'For: night-shift operators who watch the dashboard for hours.',
    'Outcome: reduce eye-strain complaints by 50% and let operators spot alerts faster at night.',
    'Acceptance criteria: a toggle in settings switches between light and dark; the choice persists across sessions; every chart stays readable in dark mode.',
    'Constraints: must meet WCAG AA contrast; must not change the light theme; ship by end of Q3.',
    'The dashboard should remember the choice per user. It could follow the operating system setting.',
  ].join('\n'),
};

export function anAssessment(overrides: Partial<AssessmentInput> = {}): AssessmentInput {
  return {
    taskId: 'task-1',
    ...VAGUE_REQUEST,
    priority: 'normal',
    clarificationLog: [],
    feedback: [],
    clarificationRounds: 0,
    maxClarificationRounds: 2,
    ...overrides,
  };
}
