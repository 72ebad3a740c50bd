import { inject, injectable } from 'inversify';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { ConfirmTaskSettled } from '../../contracts';
import { TASK_MANAGEMENT } from '../../task-management.tokens';
import { COMMANDS_CONSUMER, type TaskCommandHandler } from '../task-command-handler';
import type { TaskManagementRepositoryFactory } from '../repositories';

/**
 * Human interaction, the end of every chain a finished task starts (its final state, the PRD it
 * ended with, its final notification, which orchestration sends only once it holds the final
 * state), confirms it holds all of it: the republish sweep stops re-announcing the task. Until
 * then a finished task is re-announced (with its back-off, for `includeFinishedWithinMs`), so a
 * lost confirmation only costs one more re-announcement, which human interaction confirms again.
 * A confirmation for another version than the task's finished one changes nothing, and so does
 * one for a task that finished from REQUEST_VALIDATION: product definition may hold a work item
 * for it that only a re-announcement cancels, and human interaction cannot vouch for that.
 */
@injectable()
export class ConfirmTaskSettledHandler implements TaskCommandHandler {
  readonly type = ConfirmTaskSettled.type;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(TASK_MANAGEMENT.Repositories) private readonly repositories: TaskManagementRepositoryFactory,
  ) {}

  async handle(message: Envelope): Promise<void> {
    const { taskId, taskVersion } = payloadOf(ConfirmTaskSettled, message);
    await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, message, async (tx) => {
      await this.repositories(tx).tasks.markSettled(taskId, taskVersion);
    });
  }
}
