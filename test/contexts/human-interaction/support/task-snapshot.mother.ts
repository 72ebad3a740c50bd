import { randomUUID } from 'node:crypto';
import type { PrdDocument } from '../../../../src/contexts/product-definition/contracts';
import type { TaskSnapshot, TaskStatus, Transition } from '../../../../src/contexts/task-management/contracts';

const T0 = Date.parse('2026-01-05T09:00:00.000Z');
const at = (version: number): string => new Date(T0 + version * 60_000).toISOString();

/** A task as task management announces it right after creation (version 1, NEW). */
export function newTaskSnapshot(overrides: Partial<Pick<TaskSnapshot, 'taskId' | 'requesterId' | 'approverId' | 'title'>> = {}): TaskSnapshot {
  return {
    taskId: overrides.taskId ?? randomUUID(),
    title: overrides.title ?? 'Export invoices as CSV',
    description: 'Finance needs monthly invoice exports they can open in a spreadsheet.',
    requesterId: overrides.requesterId ?? 'alice',
    approverId: overrides.approverId ?? 'bob',
    priority: 'normal',
    status: 'NEW',
    version: 1,
    assignedPool: null,
    prdVersion: null,
    createdAt: at(1),
    updatedAt: at(1),
    history: [{ from: null, to: 'NEW', version: 1, at: at(1), actor: 'user:alice', messageId: randomUUID(), correlationId: null }],
  };
}

/** The same task after one more transition, as task management would publish it. */
export function advance(s: TaskSnapshot, to: TaskStatus, details: Partial<Transition> = {}): TaskSnapshot {
  const version = s.version + 1;
  const transition: Transition = { from: s.status, to, version, at: at(version), actor: 'service:test', messageId: randomUUID(), correlationId: null, ...details };
  return {
    ...s,
    status: to,
    version,
    updatedAt: at(version),
    assignedPool: details.assignedPool ?? s.assignedPool,
    prdVersion: details.prdVersion ?? s.prdVersion,
    history: [...s.history, transition],
  };
}

export const QUESTIONS = ['Which invoice fields?', 'Which date range?'];

export function awaitingClarification(overrides: Parameters<typeof newTaskSnapshot>[0] = {}): TaskSnapshot {
  const validating = advance(newTaskSnapshot(overrides), 'REQUEST_VALIDATION', { assignedPool: 'product-manager' });
  return advance(validating, 'CLARIFICATION_NEEDED', { questions: QUESTIONS, actor: 'service:product-manager-agent' });
}

export function awaitingPrdDecision(overrides: Parameters<typeof newTaskSnapshot>[0] = {}, prdVersion = 1): TaskSnapshot {
  const validating = advance(newTaskSnapshot(overrides), 'REQUEST_VALIDATION', { assignedPool: 'product-manager' });
  return advance(validating, 'PRD_VALIDATION', { prdVersion, actor: 'service:product-manager-agent' });
}

export function aPrdDocument(title = 'Invoice CSV export'): PrdDocument {
  return {
    title,
    problem: 'Finance retypes invoices by hand.',
    goals: ['Monthly CSV export'],
    nonGoals: [],
    userStories: [{ asA: 'finance clerk', iWant: 'a CSV of invoices', soThat: 'I can reconcile', acceptanceCriteria: ['one row per invoice'] }],
    functionalRequirements: [{ id: 'FR-1', description: 'Export invoices of a month', priority: 'P0' }],
    nonFunctionalRequirements: [],
    assumptions: [],
    risks: [],
    successMetrics: ['No retyping'],
    openQuestions: [],
    originalRequest: 'Export invoices as CSV',
    clarificationLog: [],
    feedbackAddressed: [],
  };
}
