import { inject, injectable } from 'inversify';
import { message } from '../../../../shared/messaging/contract-registry';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { CancelTask as CancelTaskCommand } from '../../../task-management/contracts';
import { assertCancellable, assertIsRequester } from '../../domain/task-view';
import type { User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ActionAccepted } from '../action-accepted';
import { sendHumanAction } from '../human-action.sender';
import { lockedTaskView } from '../locked-task-view';
import type { HumanInteractionRepositoryFactory } from '../repositories';

/** The requester withdraws a task that has not finished. */
@injectable()
export class CancelTask {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
  ) {}

  execute(requester: User, taskId: string, reason: string | undefined): Promise<ActionAccepted> {
    return this.unitOfWork.run(async (tx) => {
      const { taskViews, humanActions } = this.repositories(tx);
      const view = await lockedTaskView(taskViews, taskId);
      assertIsRequester(view, requester);
      assertCancellable(view);
      const command = message(CancelTaskCommand, taskId, { taskId, userId: requester.id, ...(reason ? { reason } : {}) });
      const target = { taskId, taskVersion: view.version, action: 'cancel' as const };
      const messageId = await sendHumanAction(tx, humanActions, target, command);
      return { ...target, messageId };
    });
  }
}
