import { inject, injectable } from 'inversify';
import { RepublishOpenTasks } from '../../task-management/contracts';
import { SHARED } from '../../../shared/kernel/tokens';
import type { Logger } from '../../../shared/logging/logger';
import { message, payloadOf } from '../../../shared/messaging/contract-registry';
import type { Envelope } from '../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../shared/persistence/unit-of-work';
import { RedriveTask } from '../contracts';
import { nextStep } from '../domain/next-step';
import { isTerminal } from '../domain/task-projection';
import { ORCHESTRATION } from '../orchestration.tokens';
import type { OrchestrationRepositoryFactory } from './repositories';

export const COMMANDS_CONSUMER = 'orchestration.commands';

export type RedriveOutcome = 'redriven' | 'moved-on' | 'unknown-task';

/**
 * An operator's "re-drive now" (a link in a stall alert): does for one task, at once, what the
 * scanner's re-drive does when its timer says so. The task's step goes out again with its
 * original id (the receiver's inbox drops it if the first one did arrive) and `driven_at` is
 * recorded with it; a task in REQUEST_VALIDATION, whose step is product definition's, is
 * re-announced instead (a `republish-open-tasks` naming only this task), so product definition
 * sends again what it owes. A task that moved past the version the alert was about, or finished,
 * is left alone: the re-drive was for a state it is no longer in. A finished task at the named
 * version has its final notification sent again: human interaction asks for it when a
 * re-announcement finds it missing. An operator's command's id is derived from the task and
 * version, so the inbox makes a repeated request one effect.
 */
@injectable()
export class RedriveTaskHandler {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(ORCHESTRATION.Repositories) private readonly repositories: OrchestrationRepositoryFactory,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {}

  async handle(command: Envelope): Promise<void> {
    const request = payloadOf(RedriveTask, command);
    let outcome = 'unknown-task' as RedriveOutcome;
    const handled = await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, command, async (tx) => {
      const { projections } = this.repositories(tx);
      const task = await projections.lock(request.taskId);
      if (!task) return;
      outcome = 'moved-on';
      if (task.version !== request.taskVersion) return;
      const step = nextStep(task);
      if (isTerminal(task.status)) {
        // Human interaction asks for a finished task's final notification it has not received:
        // the same message again (same id), the only repair for a lost one.
        if (step) tx.outbox.add(step);
        outcome = 'redriven';
        return;
      }
      if (step) {
        tx.outbox.add(step);
        await projections.recordDriven(task.taskId, task.version, { drivenVersion: task.version, drivenAt: tx.now, alertedVersion: task.alertedVersion });
      } else {
        tx.outbox.add(message(RepublishOpenTasks, task.taskId, { idleForMs: 0, limit: 1, taskIds: [task.taskId] }));
      }
      outcome = 'redriven';
    });
    if (!handled) return;
    const fields = { taskId: request.taskId, taskVersion: request.taskVersion, requestedBy: request.requestedBy, outcome };
    if (outcome === 'redriven') this.logger.info(fields, 're-drive: task %s sent its step again at the request of %s', request.taskId, request.requestedBy);
    else this.logger.info(fields, 're-drive: task %s has nothing to re-drive at version %d (%s)', request.taskId, request.taskVersion, outcome);
  }
}
