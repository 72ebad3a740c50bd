import type { Task } from './task';

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
   * Up to `limit` non-terminal tasks neither changed nor re-announced after `idleSince`, oldest
   * first. Rows another transaction holds are skipped, so concurrent sweeps do not overlap.
   */
  listOpenIdleSince(idleSince: Date, limit: number): Promise<Task[]>;
  markRepublished(taskIds: readonly string[], at: Date): Promise<void>;
}
