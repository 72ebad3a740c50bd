import { inject, injectable } from 'inversify';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { CreateTask } from '../../contracts';
import { Task } from '../../domain/task';
import { TaskAlreadyExists } from '../../domain/task.errors';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { userActor } from '../actors';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import { announcementsOf } from '../task-announcements';
import { COMMANDS_CONSUMER, type TaskCommandHandler } from '../task-command-handler';
import { causeOf } from '../task-commands';
import type { TaskManagementRepositoryFactory } from '../repositories';

@injectable()
export class CreateTaskHandler implements TaskCommandHandler {
  readonly type = CreateTask.type;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(TASK_MANAGEMENT.Repositories) private readonly repositories: TaskManagementRepositoryFactory,
  ) {}

  async handle(message: Envelope): Promise<void> {
    const request = payloadOf(CreateTask, message);
    await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, message, async (tx) => {
      const { tasks } = this.repositories(tx);
      const existing = await tasks.find(request.taskId);
      // A resubmission under a new message id (a retried HTTP call) is the same request: no effect.
      if (existing) {
        if (existing.isSameRequestAs(request)) return;
        throw new TaskAlreadyExists(request.taskId);
      }
      const task = Task.create(request, causeOf(message, userActor(request.requesterId), tx.now));
      await tasks.insert(task);
      tx.outbox.add(...announcementsOf(task));
    });
  }
}
