import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Envelope } from '../../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { PrdDrafted } from '../../../product-definition/contracts';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { TaskViewChanges } from '../task-view-changes';
import { confirmIfSettled } from '../settle-finished-task/settle-finished-task';

export const PRD_EVENTS_CONSUMER = 'human-interaction.prd-events';

/** Keeps every drafted PRD version so approvers read exactly what they decide on. */
@injectable()
export class RecordPrdOnPrdDrafted {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.TaskViewChanges) private readonly changes: TaskViewChanges,
  ) {}

  async handle(event: Envelope): Promise<void> {
    const drafted = PrdDrafted.schema.parse(event.payload);
    await this.unitOfWork.handleOnce(PRD_EVENTS_CONSUMER, event, async (tx) => {
      const repositories = this.repositories(tx);
      const inserted = await repositories.prdViews.insert({
        taskId: drafted.taskId,
        prdVersion: drafted.prdVersion,
        document: drafted.prd,
        draftedAt: new Date(drafted.draftedAt),
      });
      // The PRD of a task that finished without it here (repaired by a re-announcement).
      if (inserted) await confirmIfSettled(tx, repositories, drafted.taskId);
    });
    // After the commit: an open task page shows the new PRD version at once.
    this.changes.changed(drafted.taskId);
  }
}
