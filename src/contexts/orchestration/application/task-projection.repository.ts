import type { DrivingOptions } from '../domain/drive-decision';
import type { ProjectedTask, TaskProjection } from '../domain/task-projection';

export interface DueTasksQuery extends DrivingOptions {
  readonly now: Date;
  readonly limit: number;
  /** Tasks already handled in this sweep: keeps a sweep finite whatever the options. */
  readonly excluding: readonly string[];
}

export interface DriveBookkeeping {
  readonly drivenVersion: number;
  readonly drivenAt: Date;
  readonly alertedVersion: number;
}

/**
 * Orchestration's projection of tasks. An instance works on the session it was opened on; the
 * locking methods need a transaction (`UnitOfWork.run`), whose end releases the locks.
 */
export interface TaskProjectionRepository {
  /**
   * Stores the task (stamped `updatedAt`) unless the stored version is the same or newer. Returns
   * the stored row, locked until the transaction ends, or null when it kept the row it had (`lock`
   * reads that one).
   */
  apply(task: ProjectedTask, updatedAt: Date): Promise<TaskProjection | null>;
  /** The task's row, locked until the transaction ends. */
  lock(taskId: string): Promise<TaskProjection | null>;
  /**
   * Rows something may be due for, locked; rows another transaction holds are skipped, so
   * several orchestration processes never drive one task at the same time.
   */
  lockDue(query: DueTasksQuery): Promise<TaskProjection[]>;
  /** Version-checked: the row must still be at `version`. */
  recordDriven(taskId: string, version: number, bookkeeping: DriveBookkeeping): Promise<void>;
}
