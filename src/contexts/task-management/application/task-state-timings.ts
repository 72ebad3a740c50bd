import type { TaskStatus } from '../domain/task-status';

/**
 * Told, once a move committed, how long the task stayed in the state it left (from the
 * transition that entered it to the one that left it, both on the service's clock).
 */
export interface TaskStateTimings {
  left(state: TaskStatus, seconds: number): void;
}

export const NO_TASK_STATE_TIMINGS: TaskStateTimings = { left: () => undefined };
