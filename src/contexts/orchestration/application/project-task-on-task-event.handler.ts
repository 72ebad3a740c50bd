import { inject, injectable } from 'inversify';
import { TASK_EVENT_TYPES, taskSnapshotSchema, type TaskSnapshot } from '../../task-management/contracts';
import type { Clock } from '../../../shared/kernel/clock';
import { SHARED } from '../../../shared/kernel/tokens';
import type { Envelope } from '../../../shared/messaging/envelope';
import { InvalidMessageError } from '../../../shared/messaging/errors';
import type { UnitOfWork } from '../../../shared/persistence/unit-of-work';
import { projectSnapshot } from '../domain/task-projection';
import { ORCHESTRATION } from '../orchestration.tokens';
import type { TaskDriver } from './task-driver';
import type { OrchestrationRepositoryFactory } from './repositories';

export const TASK_EVENTS_CONSUMER = 'orchestration.task-events';

/** Every task event carries the whole snapshot, so one reaction serves them all. */
export const PROJECTED_EVENT_TYPES: readonly string[] = TASK_EVENT_TYPES;

/**
 * Keeps the projection current from task events and drives the task at once (the event "kick"),
 * so a step goes out with the change rather than at the next sweep. Events may come twice or out
 * of order: the inbox drops a redelivery, and a snapshot older than the stored one changes nothing.
 * A re-announcement of a finished task it already holds changes nothing: a lost final
 * notification is sent again when human interaction asks for it (`redrive-task`), so one that
 * arrived is not sent again on every re-announcement.
 */
@injectable()
export class ProjectTaskOnTaskEvent {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(ORCHESTRATION.Repositories) private readonly repositories: OrchestrationRepositoryFactory,
    @inject(ORCHESTRATION.TaskDriver) private readonly driver: TaskDriver,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  async handle(event: Envelope): Promise<void> {
    const snapshot = parseSnapshot(event);
    await this.unitOfWork.handleOnce(TASK_EVENTS_CONSUMER, event, async (tx) => {
      const { projections } = this.repositories(tx);
      // Drive from the stored row, not the snapshot: after a stale snapshot it is the newer state.
      const task = (await projections.apply(projectSnapshot(snapshot), tx.now)) ?? (await projections.lock(snapshot.taskId));
      if (!task) return;
      await this.driver.drive(tx, task, this.clock.now());
    });
  }
}

function parseSnapshot(event: Envelope): TaskSnapshot {
  if (!PROJECTED_EVENT_TYPES.includes(event.type)) throw new InvalidMessageError(event.type, [`type: ${TASK_EVENTS_CONSUMER} does not handle ${event.type}`]);
  return taskSnapshotSchema.parse(event.payload);
}
