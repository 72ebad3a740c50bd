import type { z } from 'zod';
import { ApprovePrdHandler } from '../../../../src/contexts/task-management/application/approve-prd/approve-prd.handler';
import { ConfirmTaskSettledHandler } from '../../../../src/contexts/task-management/application/confirm-task-settled/confirm-task-settled.handler';
import { CancelTaskHandler } from '../../../../src/contexts/task-management/application/cancel-task/cancel-task.handler';
import { CreateTaskHandler } from '../../../../src/contexts/task-management/application/create-task/create-task.handler';
import { FailTaskHandler } from '../../../../src/contexts/task-management/application/fail-task/fail-task.handler';
import { ProvideClarificationHandler } from '../../../../src/contexts/task-management/application/provide-clarification/provide-clarification.handler';
import { RejectPrdHandler } from '../../../../src/contexts/task-management/application/reject-prd/reject-prd.handler';
import { RepublishOpenTasksHandler } from '../../../../src/contexts/task-management/application/republish-open-tasks/republish-open-tasks.handler';
import { RequestClarificationHandler } from '../../../../src/contexts/task-management/application/request-clarification/request-clarification.handler';
import { StartValidationHandler } from '../../../../src/contexts/task-management/application/start-validation/start-validation.handler';
import { SubmitPrdHandler } from '../../../../src/contexts/task-management/application/submit-prd/submit-prd.handler';
import { TaskCommandDispatcher } from '../../../../src/contexts/task-management/application/task-command.dispatcher';
import { TaskCommands } from '../../../../src/contexts/task-management/application/task-commands';
import { taskManagementContracts } from '../../../../src/contexts/task-management/contracts';
import type { Task } from '../../../../src/contexts/task-management/domain/task';
import { postgresTaskManagementRepositories } from '../../../../src/contexts/task-management/infrastructure/persistence/postgres-repositories';
import { DEFAULT_TASK_MANAGEMENT_OPTIONS, type TaskManagementOptions } from '../../../../src/contexts/task-management/task-management.options';
import { ContractRegistry, message, type MessageContract } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { execute } from '../../../../src/shared/persistence/sql';
import { UnitOfWork } from '../../../../src/shared/persistence/unit-of-work';
import { openTestDatabase } from '../../../support/database';

/** The context wired by hand on a fresh PGlite, with a clock the test moves. */
export class TaskManagementHarness {
  now: Date;
  readonly repositories = postgresTaskManagementRepositories;
  readonly unitOfWork: UnitOfWork;
  readonly dispatcher: TaskCommandDispatcher;

  private constructor(
    readonly db: Database,
    start: Date,
    options: TaskManagementOptions,
  ) {
    this.now = start;
    this.unitOfWork = new UnitOfWork(db.dataSource, new ContractRegistry().register(...taskManagementContracts), { now: () => this.now });
    const commands = new TaskCommands(this.unitOfWork, this.repositories);
    this.dispatcher = new TaskCommandDispatcher([
      new CreateTaskHandler(this.unitOfWork, this.repositories),
      new StartValidationHandler(commands),
      new RequestClarificationHandler(commands),
      new SubmitPrdHandler(commands),
      new ProvideClarificationHandler(commands),
      new ApprovePrdHandler(commands),
      new RejectPrdHandler(commands),
      new CancelTaskHandler(commands),
      new FailTaskHandler(commands),
      new RepublishOpenTasksHandler(this.unitOfWork, this.repositories, options),
      new ConfirmTaskSettledHandler(this.unitOfWork, this.repositories),
    ]);
  }

  static async open(start: Date, options: TaskManagementOptions = DEFAULT_TASK_MANAGEMENT_OPTIONS): Promise<TaskManagementHarness> {
    return new TaskManagementHarness(await openTestDatabase(), start, options);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  /** Builds the command's envelope and hands it to the dispatcher; returns the envelope sent. */
  async send<C extends MessageContract>(contract: C, key: string, payload: z.input<C['schema']>, messageId?: string): Promise<Envelope> {
    const envelope = createEnvelope(message(contract, key, payload, messageId), { now: this.now });
    await this.dispatcher.dispatch(envelope);
    return envelope;
  }

  async task(taskId: string): Promise<Task | undefined> {
    return this.unitOfWork.run((tx) => this.repositories(tx).tasks.find(taskId));
  }

  /** Envelopes this context wrote to the outbox for a task, oldest first. */
  async outbox(key?: string): Promise<Envelope[]> {
    const { rows } = await execute(
      this.db.dataSource.manager,
      `SELECT envelope FROM messaging.outbox WHERE ($1::text IS NULL OR message_key = $1) ORDER BY id`,
      [key ?? null],
    );
    return rows.map((row) => (row as { envelope: Envelope }).envelope);
  }
}
