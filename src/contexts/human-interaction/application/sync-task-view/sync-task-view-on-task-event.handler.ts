import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Envelope } from '../../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { TaskStatusChanged } from '../../../task-management/contracts';
import { isTerminal } from '../../domain/task-view';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { resendHumanAction } from '../human-action.sender';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { TaskViewChanges } from '../task-view-changes';

export const TASK_EVENTS_CONSUMER = 'human-interaction.task-events';

/**
 * Keeps the task view current from task-created, task-status-changed and task-snapshot (all carry
 * the whole task). A snapshot of the version a person already acted on means task management has
 * not applied that action: the command is sent again with its original id, which repairs a lost
 * command and is dropped by task management's inbox if it was merely slow.
 */
@injectable()
export class SyncTaskViewOnTaskEvent {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.TaskViewChanges) private readonly changes: TaskViewChanges,
  ) {}

  async handle(event: Envelope): Promise<void> {
    const snapshot = TaskStatusChanged.schema.parse(event.payload);
    await this.unitOfWork.handleOnce(TASK_EVENTS_CONSUMER, event, async (tx) => {
      const { taskViews, humanActions } = this.repositories(tx);
      const view = await taskViews.applySnapshot(snapshot);
      if (view.version !== snapshot.version || isTerminal(view)) return;
      for (const recorded of await humanActions.at(view.taskId, view.version)) await resendHumanAction(tx, humanActions, recorded);
    });
    // After the commit: open task pages read the view again and find the change.
    this.changes.changed(snapshot.taskId);
  }
}
