import { inject, injectable } from 'inversify';
import { WorkflowStalled } from '../../../orchestration/contracts';
import { TASK_STATUSES, TERMINAL_STATUSES, type TaskStatus } from '../../../task-management/contracts';
import { AwaitingPrecedingMessageError } from '../../../../shared/kernel/errors';
import { SHARED } from '../../../../shared/kernel/tokens';
import { payloadOf } from '../../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { InvalidMessageError } from '../../../../shared/messaging/errors';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { ReportedStall, TaskAlerts } from './task-alerts';

export const ALERTS_CONSUMER = 'human-interaction.alerts';

const STALLABLE: readonly string[] = TASK_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

/** The stall event, checked beyond its contract: a state a task can stall in, a detection after it began. */
function reportedStall(event: Envelope): ReportedStall {
  const stall = payloadOf(WorkflowStalled, event);
  const issues: string[] = [];
  if (!STALLABLE.includes(stall.status)) issues.push(`payload.status: "${stall.status}" is not a state a task can stall in (${STALLABLE.join(', ')})`);
  if (Date.parse(stall.detectedAt) < Date.parse(stall.inStatusSince)) issues.push('payload.detectedAt: is before payload.inStatusSince');
  if (issues.length > 0) throw new InvalidMessageError(event.type, issues);
  return { ...stall, status: stall.status as TaskStatus };
}

/**
 * Tells the alert recipients that a task stalled (`orchestration.workflow-stalled.v1`), once per
 * stall episode: the episode is the task's state entry (task, state, version), so the same stall
 * reported again, under any message id, tells nobody twice. The alert waits (by retrying) until
 * the task view has reached the stalled version, so the recipient finds the task in that state;
 * a task whose view is already past it moved on before anyone needed telling. An event that is
 * not a valid stall is dead-lettered with what is wrong.
 */
@injectable()
export class AlertOnWorkflowStalled {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.TaskAlerts) private readonly alerts: TaskAlerts,
  ) {}

  /** The number of notifications created. */
  async handle(event: Envelope): Promise<number> {
    const stall = reportedStall(event);
    let created = 0;
    await this.unitOfWork.handleOnce(ALERTS_CONSUMER, event, async (tx) => {
      const repositories = this.repositories(tx);
      const view = await repositories.taskViews.lock(stall.taskId);
      if (!view || view.version < stall.taskVersion) {
        throw new AwaitingPrecedingMessageError(
          `task ${stall.taskId} view is at version ${view?.version ?? 'none'}; the stall is about version ${stall.taskVersion}`,
        );
      }
      if (view.version > stall.taskVersion) return;
      created = await this.alerts.raiseStall(tx, repositories, view, stall);
    });
    return created;
  }
}
