import { DomainError } from '../../../shared/kernel/domain-error';
import type { TaskStatus } from './task-status';

/** Every refusal names the task, so a dead letter explains itself without a debugger. */

export class IllegalTransition extends DomainError {
  readonly code = 'task.illegal-transition';
  constructor(
    readonly taskId: string,
    readonly from: TaskStatus,
    readonly to: TaskStatus,
    /** The move that was refused, when the pair alone does not say it (two moves share a pair). */
    readonly move?: string,
  ) {
    super(`task ${taskId} cannot go from ${from} to ${to}${move ? ` by ${move}` : ''}`);
  }
}

/** The sender decided from an older state of the task; acting on it now could be wrong. */
export class StaleCommand extends DomainError {
  readonly code = 'task.stale-command';
  constructor(
    readonly taskId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`task ${taskId} is at version ${actualVersion}, the command expected version ${expectedVersion}`);
  }
}

/** A decision about a PRD version other than the one awaiting review. */
export class PrdVersionMismatch extends DomainError {
  readonly code = 'task.prd-version-mismatch';
  constructor(
    readonly taskId: string,
    readonly expected: number | null,
    readonly actual: number,
  ) {
    super(`task ${taskId} awaits a decision on PRD version ${expected ?? 'none'}, not version ${actual}`);
  }
}

export class NotTaskRequester extends DomainError {
  readonly code = 'task.not-requester';
  constructor(
    readonly taskId: string,
    readonly userId: string,
  ) {
    super(`user ${userId} is not the requester of task ${taskId}`);
  }
}

export class NotTaskApprover extends DomainError {
  readonly code = 'task.not-approver';
  constructor(
    readonly taskId: string,
    readonly userId: string,
  ) {
    super(`user ${userId} is not the approver of task ${taskId}`);
  }
}

export class TaskNotFound extends DomainError {
  readonly code = 'task.not-found';
  constructor(readonly taskId: string) {
    super(`task ${taskId} does not exist`);
  }
}

/** The id is taken by a task with different content: a second request reused an id. */
export class TaskAlreadyExists extends DomainError {
  readonly code = 'task.already-exists';
  constructor(readonly taskId: string) {
    super(`task ${taskId} already exists with different content`);
  }
}
