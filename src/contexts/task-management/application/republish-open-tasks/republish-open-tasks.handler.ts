import { inject, injectable } from 'inversify';
import { message as outgoing } from '../../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { RepublishOpenTasks, TaskSnapshotPublished } from '../../contracts';
import type { TaskManagementOptions } from '../../task-management.options';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import { COMMANDS_CONSUMER, type TaskCommandHandler } from '../task-command-handler';
import type { TaskManagementRepositoryFactory } from '../repositories';

/**
 * Repairs lost task events: re-announces every open task nobody heard about for `idleForMs`, and
 * every task that finished less than `includeFinishedWithinMs` ago (a terminal task's final event
 * is the one nothing else would repair: no step follows it). Marking it republished makes a task
 * that simply waits (for a person, say) go out at most once per idle period instead of on every
 * sweep; a finished task backs off further, each wait as long as it had been finished, so it goes
 * out a few (logarithmically many) times in the window rather than once per idle period.
 * With `taskIds` it re-announces just those tasks (an operator's re-drive), idle or not.
 * Snapshots get fresh message ids on purpose: a consumer's inbox must not drop the repair of a
 * version it saw announced but lost the effect of.
 */
@injectable()
export class RepublishOpenTasksHandler implements TaskCommandHandler {
  readonly type = RepublishOpenTasks.type;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(TASK_MANAGEMENT.Repositories) private readonly repositories: TaskManagementRepositoryFactory,
    @inject(TASK_MANAGEMENT.Options) private readonly options: TaskManagementOptions,
  ) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(RepublishOpenTasks, message);
    await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, message, async (tx) => {
      const { tasks } = this.repositories(tx);
      if (command.taskIds) {
        const named = (await Promise.all(command.taskIds.map((taskId) => tasks.find(taskId)))).filter((task) => task !== undefined);
        tx.outbox.add(...named.map((task) => outgoing(TaskSnapshotPublished, task.id, task.toSnapshot())));
        await tasks.markRepublished(
          named.map((task) => task.id),
          tx.now,
        );
        return;
      }
      const idle = await tasks.listIdleSince({
        now: tx.now,
        idleSince: new Date(tx.now.getTime() - command.idleForMs),
        finishedAfter: new Date(tx.now.getTime() - command.includeFinishedWithinMs),
        limit: Math.min(command.limit, this.options.maxRepublishBatch),
      });
      tx.outbox.add(...idle.map((task) => outgoing(TaskSnapshotPublished, task.id, task.toSnapshot())));
      await tasks.markRepublished(
        idle.map((task) => task.id),
        tx.now,
      );
    });
  }
}
