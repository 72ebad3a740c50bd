import { inject, injectable } from 'inversify';
import { RepublishOpenTasks } from '../../task-management/contracts';
import type { Clock } from '../../../shared/kernel/clock';
import { BackgroundLoop, type Loop, type PassOutcome } from '../../../shared/kernel/background-loop';
import { SHARED } from '../../../shared/kernel/tokens';
import type { Logger } from '../../../shared/logging/logger';
import { message } from '../../../shared/messaging/contract-registry';
import type { UnitOfWork } from '../../../shared/persistence/unit-of-work';
import type { OrchestrationOptions } from '../orchestration.options';
import { ORCHESTRATION } from '../orchestration.tokens';
import type { TaskDriver } from './task-driver';
import type { OrchestrationRepositoryFactory } from './repositories';

export interface SweepResult {
  /** Step commands sent. */
  readonly driven: number;
  /** WorkflowStalled alerts raised. */
  readonly alerted: number;
}

/** RepublishOpenTasks concerns no one task; its key only has to be stable. */
export const REPUBLISH_KEY = 'orchestration.open-tasks';

/**
 * The periodic sweep that makes the workflow converge: it re-derives from the projection what
 * each task is owed and sends it again when it may have been lost, and asks Task Management to
 * re-announce idle open tasks, so a task whose events were lost re-enters the projection, and
 * recently finished ones, whose re-announcements re-send the terminal notification.
 */
@injectable()
export class TaskScanningService {
  /**
   * Sweeps at once, then `scanIntervalMs` after the previous sweep ended; stopping waits for the
   * sweep in progress. A failed sweep is logged by the loop and retried after its backoff.
   */
  readonly loop: Loop;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(ORCHESTRATION.Repositories) private readonly repositories: OrchestrationRepositoryFactory,
    @inject(ORCHESTRATION.TaskDriver) private readonly driver: TaskDriver,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(ORCHESTRATION.Options) private readonly options: OrchestrationOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {
    this.loop = new BackgroundLoop({ name: 'task sweep', intervalMs: options.scanIntervalMs, pass: () => this.pass() }, logger);
  }

  async sweepOnce(): Promise<SweepResult> {
    const handled: string[] = [];
    let driven = 0;
    let alerted = 0;
    for (;;) {
      // One transaction per batch: locks are held briefly and a failure loses one batch's work.
      const batch = await this.unitOfWork.run(async (tx) => {
        const now = this.clock.now();
        const tasks = await this.repositories(tx).projections.lockDue({ ...this.options, now, limit: this.options.sweepBatchSize, excluding: handled });
        const outcomes = [];
        for (const task of tasks) outcomes.push(await this.driver.drive(tx, task, now));
        return { taskIds: tasks.map((task) => task.taskId), outcomes };
      });
      handled.push(...batch.taskIds);
      driven += batch.outcomes.filter((outcome) => outcome.driven).length;
      alerted += batch.outcomes.filter((outcome) => outcome.alerted).length;
      if (batch.taskIds.length < this.options.sweepBatchSize) break;
    }
    await this.unitOfWork.run(async (tx) => {
      tx.outbox.add(
        message(RepublishOpenTasks, REPUBLISH_KEY, {
          idleForMs: this.options.republishIdleMs,
          limit: this.options.sweepBatchSize,
          includeFinishedWithinMs: this.options.republishFinishedForMs,
        }),
      );
    });
    return { driven, alerted };
  }

  /**
   * Always idle: a sweep already works through every batch that is due. Its summary is debug: the
   * re-sends of a quiet system's waiting tasks are routine, and each stall is its own warning.
   */
  private async pass(): Promise<PassOutcome> {
    const result = await this.sweepOnce();
    if (result.driven > 0 || result.alerted > 0) this.logger.debug(result, 'task sweep drove tasks');
    return 'idle';
  }
}
