import type { ClarificationAnswer, TaskSnapshot, Transition } from '../../../task-management/contracts';
import type { ClarificationEntry, FeedbackEntry, ProductRequest } from '../../domain/product-request';

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Pairs the questions of one round with the answers given to it. Answers name their question; a
 * reworded one is matched by position. Answers to nothing we asked are kept as they came.
 */
function pairRound(questions: readonly string[], answers: readonly ClarificationAnswer[]): ClarificationEntry[] {
  const used = new Set<number>();
  const entries: ClarificationEntry[] = [];
  questions.forEach((question, i) => {
    let j = answers.findIndex((answer, k) => !used.has(k) && same(answer.question, question));
    const byPosition = answers[i];
    if (j < 0 && byPosition && !used.has(i) && !questions.some((q) => same(q, byPosition.question))) j = i;
    const answer = answers[j];
    if (j < 0 || !answer) return;
    used.add(j);
    entries.push({ question, answer: answer.answer });
  });
  answers.forEach((answer, k) => {
    if (!used.has(k)) entries.push({ question: answer.question, answer: answer.answer });
  });
  return entries;
}

/** Translates Task Management's snapshot into this context's copy of the request. */
export function requestFromSnapshot(snapshot: TaskSnapshot): ProductRequest {
  const history: Transition[] = [...snapshot.history].sort((a, b) => a.version - b.version);
  const clarificationLog: ClarificationEntry[] = [];
  const feedback: FeedbackEntry[] = [];
  let rounds = 0;
  let asked: readonly string[] = [];
  let reviewedPrd: number | undefined;
  for (const transition of history) {
    if (transition.to === 'CLARIFICATION_NEEDED') {
      rounds += 1;
      asked = transition.questions ?? [];
    } else if (transition.from === 'CLARIFICATION_NEEDED' && transition.to === 'REQUEST_VALIDATION') {
      clarificationLog.push(...pairRound(asked, transition.answers ?? []));
      asked = [];
    }
    if (transition.to === 'PRD_VALIDATION' && transition.prdVersion !== undefined) reviewedPrd = transition.prdVersion;
    const text = transition.feedback?.trim();
    if (transition.from === 'PRD_VALIDATION' && transition.to === 'REQUEST_VALIDATION' && text) {
      feedback.push({ prdVersion: transition.prdVersion ?? reviewedPrd ?? 1, feedback: text });
    }
  }
  return {
    taskId: snapshot.taskId,
    title: snapshot.title,
    description: snapshot.description,
    requesterId: snapshot.requesterId,
    priority: snapshot.priority,
    taskVersion: snapshot.version,
    taskStatus: snapshot.status,
    clarificationRounds: rounds,
    clarificationLog,
    feedback,
    updatedAt: new Date(snapshot.updatedAt),
  };
}
