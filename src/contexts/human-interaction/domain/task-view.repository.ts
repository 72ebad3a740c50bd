import type { TaskSnapshot } from '../../task-management/contracts';
import type { TaskView } from './task-view';
import type { User } from './user';

/** Where the task views live. */
export interface TaskViewRepository {
  /** A task submitted here, before task management confirmed it (version 0). */
  insertSubmitted(view: TaskView): Promise<void>;
  /**
   * Applies a snapshot only when it is newer than the view; an older or equal one changes nothing
   * (events arrive reordered and duplicated). Returns the view as it stands afterwards, row locked.
   */
  applySnapshot(snapshot: TaskSnapshot): Promise<TaskView>;
  /** Reads the view and locks it, so actions on one task are decided one at a time. */
  lock(taskId: string): Promise<TaskView | undefined>;
  find(taskId: string): Promise<TaskView | undefined>;
  /** Admins see every task; others the tasks they requested (requesters) or approve (approvers). */
  listFor(user: User, limit: number): Promise<TaskView[]>;
}
