import { inject, injectable } from 'inversify';
import { message as outgoing } from '../../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { RepublishOpenTasks, TaskSnapshotPublished } from '../../contracts';
import type { TaskManagementOptions } from '../../task-management.options';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { payloadOf } from '../payload';
import { COMMANDS_CONSUMER, type TaskCommandHandler } from '../task-command-handler';
import type { TaskRepositories } from '../task-repositories';

/**
 * Repairs lost task events: re-announces every open task nobody heard about for `idleForMs`.
 * Marking it republished makes a task that simply waits (for a person, say) go out at most once
 * per idle period instead of on every sweep. Snapshots get fresh message ids on purpose: a
 * consumer's inbox must not drop the repair of a version it saw announced but lost the effect of.
 */
@injectable()
export class RepublishOpenTasksHandler implements TaskCommandHandler {
  readonly type = RepublishOpenTasks.type;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(TASK_MANAGEMENT.TaskRepositories) private readonly repositories: TaskRepositories,
    @inject(TASK_MANAGEMENT.Options) private readonly options: TaskManagementOptions,
  ) {}

  async handle(message: Envelope): Promise<void> {
    const command = payloadOf(RepublishOpenTasks, message);
    await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, message, async (tx) => {
      const tasks = this.repositories.forTransaction(tx);
      const idleSince = new Date(tx.now.getTime() - command.idleForMs);
      const idle = await tasks.listOpenIdleSince(idleSince, Math.min(command.limit, this.options.maxRepublishBatch));
      tx.outbox.add(...idle.map((task) => outgoing(TaskSnapshotPublished, task.id, task.toSnapshot())));
      await tasks.markRepublished(
        idle.map((task) => task.id),
        tx.now,
      );
    });
  }
}
