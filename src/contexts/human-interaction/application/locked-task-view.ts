import type { Transaction } from '../../../shared/persistence/unit-of-work';
import { TaskNotFoundError } from '../domain/human-interaction.errors';
import type { TaskView } from '../domain/task-view';
import { lockTaskView } from '../infrastructure/persistence/sql-task-views';

/** The task view, row-locked for the transaction: two actions on one task are decided in turn. */
export async function lockedTaskView(tx: Transaction, taskId: string): Promise<TaskView> {
  const view = await lockTaskView(tx.manager, taskId);
  if (!view) throw new TaskNotFoundError(taskId);
  return view;
}
