import type { Cause, NewTask } from '../../../../src/contexts/task-management/domain/task';
import { Task } from '../../../../src/contexts/task-management/domain/task';
import type { TaskStatus } from '../../../../src/contexts/task-management/domain/task-status';

export const REQUESTER = 'alice';
export const APPROVER = 'bob';
export const T0 = new Date('2026-03-01T09:00:00.000Z');

let sequence = 0;

export function aTaskRequest(overrides: Partial<NewTask> = {}): NewTask {
  sequence += 1;
  return {
    taskId: `task-${sequence}`,
    title: 'Export invoices as CSV',
    description: 'Finance wants to download a month of invoices as one CSV file.',
    requesterId: REQUESTER,
    approverId: APPROVER,
    priority: 'normal',
    ...overrides,
  };
}

export function aCause(overrides: Partial<Cause> = {}): Cause {
  return { actor: 'service:test', messageId: `message-${sequence}`, correlationId: 'correlation-1', at: T0, ...overrides };
}

/** The shortest legal path from NEW to each status. */
const PATHS: Record<TaskStatus, ReadonlyArray<(task: Task) => void>> = {
  NEW: [],
  REQUEST_VALIDATION: [(t) => t.startValidation('product-manager', aCause())],
  CLARIFICATION_NEEDED: [(t) => t.startValidation('product-manager', aCause()), (t) => t.requestClarification(['Which currency?'], aCause())],
  PRD_VALIDATION: [(t) => t.startValidation('product-manager', aCause()), (t) => t.submitPrd(1, aCause())],
  APPROVED: [(t) => t.startValidation('product-manager', aCause()), (t) => t.submitPrd(1, aCause()), (t) => t.approvePrd(APPROVER, 1, aCause())],
  CANCELLED: [(t) => t.cancel(REQUESTER, 'no longer needed', aCause())],
  FAILED: [(t) => t.startValidation('product-manager', aCause()), (t) => t.fail('agent gave up', aCause())],
};

/** A task in `status`, reached through legal moves, with its events already pulled. */
export function aTaskIn(status: TaskStatus, overrides: Partial<NewTask> = {}): Task {
  const task = Task.create(aTaskRequest(overrides), aCause());
  for (const step of PATHS[status]) step(task);
  task.pullEvents();
  return task;
}
