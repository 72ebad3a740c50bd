import { inject, injectable } from 'inversify';
import { RepublishOpenTasks } from '../../task-management/contracts';
import type { Clock } from '../../../shared/kernel/clock';
import { Alarm } from '../../../shared/kernel/alarm';
import { SHARED } from '../../../shared/kernel/tokens';
import type { Logger } from '../../../shared/logging/logger';
import { message } from '../../../shared/messaging/contract-registry';
import { describeError } from '../../../shared/kernel/errors';
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
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly alarm = new Alarm();

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(ORCHESTRATION.Repositories) private readonly repositories: OrchestrationRepositoryFactory,
    @inject(ORCHESTRATION.TaskDriver) private readonly driver: TaskDriver,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(ORCHESTRATION.Options) private readonly options: OrchestrationOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {}

  /** Sweeps at once, then every `scanIntervalMs` after the previous sweep ended. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** No new sweep starts; a sweep in progress is waited for. */
  async stop(): Promise<void> {
    this.running = false;
    this.alarm.ring();
    await this.loop;
    this.loop = undefined;
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

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const result = await this.sweepOnce();
        if (result.driven > 0 || result.alerted > 0) this.logger.info(result, 'task sweep drove tasks');
      } catch (error) {
        this.logger.error({ err: describeError(error).errorMessage }, 'task sweep failed; the next sweep retries');
      }
      if (!this.running) break;
      await this.alarm.sleep(this.options.scanIntervalMs);
    }
  }
}
