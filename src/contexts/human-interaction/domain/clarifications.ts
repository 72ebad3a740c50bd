import type { Transition } from '../../task-management/contracts';

export interface Clarification {
  readonly question: string;
  readonly answer?: string;
}

/**
 * Pairs every question asked in a task's history with the answer given to it in the next
 * answering transition (matched by question text), so a person sees the whole dialogue.
 */
export function clarificationsOf(history: readonly Transition[]): Clarification[] {
  const result: Clarification[] = [];
  history.forEach((transition, index) => {
    if (!transition.questions || transition.to !== 'CLARIFICATION_NEEDED') return;
    const answered = history.slice(index + 1).find((later) => later.answers !== undefined || later.from === 'CLARIFICATION_NEEDED');
    const answers = new Map((answered?.answers ?? []).map((a) => [a.question.trim(), a.answer]));
    for (const question of transition.questions) {
      const answer = answers.get(question.trim());
      result.push(answer === undefined ? { question } : { question, answer });
    }
  });
  return result;
}
