import { inject, injectable, optional } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Envelope } from '../../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { TaskStatusChanged } from '../../../task-management/contracts';
import { isTerminal } from '../../domain/task-view';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { resendHumanAction } from '../human-action.sender';
import { confirmIfSettled, requestFinalNotification } from '../settle-finished-task/settle-finished-task';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { TaskViewChanges } from '../task-view-changes';
import type { TaskAlerts } from '../alerts/task-alerts';

export const TASK_EVENTS_CONSUMER = 'human-interaction.task-events';

/**
 * Keeps the task view current from task-created, task-status-changed and task-snapshot (all carry
 * the whole task). A snapshot of the version a person already acted on means task management has
 * not applied that action: the command is sent again with its original id, which repairs a lost
 * command and is dropped by task management's inbox if it was merely slow. In the same
 * transaction the alerts follow the task (`TaskAlerts.followTask`): a stall it moved on from is
 * resolved, a failure is raised. A finished task is confirmed settled to task management once
 * this context holds everything it owes (see confirmIfSettled).
 */
@injectable()
export class SyncTaskViewOnTaskEvent {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.TaskViewChanges) private readonly changes: TaskViewChanges,
    @inject(HUMAN_INTERACTION.TaskAlerts) @optional() private readonly alerts?: TaskAlerts,
  ) {}

  async handle(event: Envelope): Promise<void> {
    const snapshot = TaskStatusChanged.schema.parse(event.payload);
    await this.unitOfWork.handleOnce(TASK_EVENTS_CONSUMER, event, async (tx) => {
      const repositories = this.repositories(tx);
      const { taskViews, humanActions } = repositories;
      const view = await taskViews.applySnapshot(snapshot);
      await this.alerts?.followTask(tx, repositories, view);
      if (isTerminal(view)) {
        // A finished task: confirm it settled once everything it owes is here, or ask again for
        // the final notification if a re-announcement finds it missing.
        if (view.version === snapshot.version) requestFinalNotification(tx, event, view.taskId, await confirmIfSettled(tx, repositories, view.taskId));
        return;
      }
      if (view.version !== snapshot.version) return;
      for (const recorded of await humanActions.at(view.taskId, view.version)) await resendHumanAction(tx, humanActions, recorded);
    });
    // After the commit: open task pages read the view again and find the change.
    this.changes.changed(snapshot.taskId);
  }
}
