import type { Task } from './task';

export interface IdleTasksQuery {
  readonly now: Date;
  readonly idleSince: Date;
  /** Terminal tasks whose last transition is after this are still worth re-announcing. */
  readonly finishedAfter: Date;
  readonly limit: number;
}

/**
 * Where tasks are kept. An instance works inside one transaction (the caller's), so a change
 * and the messages announcing it commit together.
 */
export interface TaskRepository {
  find(taskId: string): Promise<Task | undefined>;
  /** Throws TaskNotFound. */
  get(taskId: string): Promise<Task>;
  /** Stores a new task; a concurrent insert of the same id is a (retryable) concurrency conflict. */
  insert(task: Task): Promise<void>;
  /** Stores the task's new transitions if nobody saved it since it was loaded, else ConcurrencyConflictError. */
  save(task: Task): Promise<void>;
  /**
   * Up to `limit` tasks neither changed nor re-announced after `query.idleSince`, oldest first:
   * the open ones, and the terminal ones that finished after `query.finishedAfter`, backing off
   * (a finished task waits, since its last re-announcement, as long as it had been finished
   * then). Rows another transaction holds are skipped, so concurrent sweeps do not overlap.
   */
  listIdleSince(query: IdleTasksQuery): Promise<Task[]>;
  markRepublished(taskIds: readonly string[], at: Date): Promise<void>;
  /**
   * Records that the finished task owes nothing more at `version`: it is no longer re-announced
   * (an operator's re-drive naming it still is). False when the task is not finished at that
   * version, or finished from REQUEST_VALIDATION (product definition may still hold a work item for
   * it, which only a re-announcement cancels).
   */
  markSettled(taskId: string, version: number): Promise<boolean>;
}
