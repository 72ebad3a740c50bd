import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../shared/messaging/envelope';
import { SHARED } from '../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../shared/persistence/unit-of-work';
import type { Cause, Task } from '../domain/task';
import { StaleCommand } from '../domain/task.errors';
import { TASK_MANAGEMENT } from '../task-management.tokens';
import { announcementsOf } from './task-announcements';
import { COMMANDS_CONSUMER } from './task-command-handler';
import type { TaskManagementRepositoryFactory } from './repositories';
import { NO_TASK_STATE_TIMINGS, type TaskStateTimings } from './task-state-timings';

export interface TaskChange {
  readonly taskId: string;
  /** When given, the task must still be at this version: the sender decided from it. */
  readonly expectedVersion?: number | undefined;
  readonly actor: string;
}

/**
 * The one shape every "move a task" command takes: inbox dedupe, load, staleness check, the
 * domain call, a version-checked save and the announcement, all in one transaction.
 */
@injectable()
export class TaskCommands {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(TASK_MANAGEMENT.Repositories) private readonly repositories: TaskManagementRepositoryFactory,
    @inject(TASK_MANAGEMENT.StateTimings) private readonly timings: TaskStateTimings = NO_TASK_STATE_TIMINGS,
  ) {}

  async change(message: Envelope, change: TaskChange, apply: (task: Task, cause: Cause) => void): Promise<void> {
    let left: { state: Task['status']; seconds: number } | undefined;
    await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, message, async (tx) => {
      const { tasks } = this.repositories(tx);
      const task = await tasks.get(change.taskId);
      if (change.expectedVersion !== undefined && change.expectedVersion !== task.version) {
        throw new StaleCommand(task.id, change.expectedVersion, task.version);
      }
      const { status: state, version } = task;
      const enteredAt = task.current.history.at(-1)?.at;
      apply(task, causeOf(message, change.actor, tx.now));
      await tasks.save(task);
      tx.outbox.add(...announcementsOf(task));
      if (enteredAt !== undefined && task.version > version) left = { state, seconds: (tx.now.getTime() - Date.parse(enteredAt)) / 1000 };
    });
    // Only once committed: a rolled-back or retried attempt left no state.
    if (left) this.timings.left(left.state, left.seconds);
  }
}

export function causeOf(message: Envelope, actor: string, at: Date): Cause {
  return { actor, messageId: message.messageId, correlationId: message.correlationId, at };
}
