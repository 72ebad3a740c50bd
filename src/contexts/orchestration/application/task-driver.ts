import { inject, injectable } from 'inversify';
import type { Logger } from '../../../shared/logging/logger';
import { SHARED } from '../../../shared/kernel/tokens';
import type { Transaction } from '../../../shared/persistence/unit-of-work';
import { decideDrive } from '../domain/drive-decision';
import type { TaskProjection } from '../domain/task-projection';
import type { OrchestrationOptions } from '../orchestration.options';
import { ORCHESTRATION } from '../orchestration.tokens';
import type { OrchestrationRepositoryFactory } from './repositories';

export interface DriveOutcome {
  /** A step command was written to the outbox. */
  readonly driven: boolean;
  readonly alerted: boolean;
}

const NOTHING: DriveOutcome = { driven: false, alerted: false };

/**
 * Sends what a (locked) task is owed, in the caller's transaction: the outbox rows and the
 * bookkeeping that says they were sent commit together, so a crash re-sends rather than skips.
 */
@injectable()
export class TaskDriver {
  constructor(
    @inject(ORCHESTRATION.Repositories) private readonly repositories: OrchestrationRepositoryFactory,
    @inject(ORCHESTRATION.Options) private readonly options: OrchestrationOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {}

  async drive(tx: Transaction, task: TaskProjection, now: Date): Promise<DriveOutcome> {
    const decision = decideDrive(task, now, this.options);
    if (!decision) return NOTHING;
    if (decision.step) tx.outbox.add(decision.step);
    if (decision.stall) {
      tx.outbox.add(decision.stall.alert);
      this.logger.warn(
        {
          taskId: task.taskId,
          status: task.status,
          taskVersion: task.version,
          stalledForMs: decision.stall.stalledForMs,
          thresholdMs: decision.stall.thresholdMs,
          redriven: decision.step?.type ?? null,
        },
        'workflow stalled: task has been in %s for %d ms',
        task.status,
        decision.stall.stalledForMs,
      );
    }
    await this.repositories(tx).projections.recordDriven(task.taskId, task.version, decision);
    return { driven: decision.step !== null, alerted: decision.stall !== null };
  }
}
