import { TaskNotFoundError } from '../domain/human-interaction.errors';
import type { TaskView } from '../domain/task-view';
import type { TaskViewRepository } from '../domain/task-view.repository';

/** The task view, row-locked for the transaction the repository runs in: two actions on one task are decided in turn. */
export async function lockedTaskView(taskViews: TaskViewRepository, taskId: string): Promise<TaskView> {
  const view = await taskViews.lock(taskId);
  if (!view) throw new TaskNotFoundError(taskId);
  return view;
}
