import { DomainError } from '../../../shared/kernel/domain-error';

export class TaskNotFoundError extends DomainError {
  readonly code = 'not_found';
  constructor(readonly taskId: string) {
    super(`task ${taskId} not found`);
  }
}

export class PrdVersionNotFoundError extends DomainError {
  readonly code = 'not_found';
  constructor(
    readonly taskId: string,
    /** Undefined: the task has no PRD version at all yet. */
    readonly prdVersion: number | undefined,
  ) {
    super(prdVersion === undefined ? `task ${taskId} has no PRD yet` : `PRD version ${prdVersion} of task ${taskId} not found`);
  }
}

export class NotificationNotFoundError extends DomainError {
  readonly code = 'not_found';
  constructor(readonly notificationId: string) {
    super(`notification ${notificationId} not found`);
  }
}

/** The person is known but this task or action is not theirs. */
export class NotAllowedError extends DomainError {
  readonly code = 'forbidden';
}

/** The task is not (or no longer) in a state where this action makes sense. */
export class ActionConflictError extends DomainError {
  readonly code = 'conflict';
}

export interface RequestIssue {
  readonly field: string;
  readonly message: string;
}

/** The request is well-formed but names something that does not exist or does not fit. */
export class InvalidRequestError extends DomainError {
  readonly code = 'invalid_request';
  constructor(readonly issues: readonly RequestIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '));
  }
}
