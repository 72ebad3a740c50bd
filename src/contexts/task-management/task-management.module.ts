import { ContainerModule } from 'inversify';
import { ApprovePrdHandler } from './application/approve-prd/approve-prd.handler';
import { ConfirmTaskSettledHandler } from './application/confirm-task-settled/confirm-task-settled.handler';
import { CancelTaskHandler } from './application/cancel-task/cancel-task.handler';
import { CreateTaskHandler } from './application/create-task/create-task.handler';
import { FailTaskHandler } from './application/fail-task/fail-task.handler';
import { ProvideClarificationHandler } from './application/provide-clarification/provide-clarification.handler';
import { RejectPrdHandler } from './application/reject-prd/reject-prd.handler';
import { RepublishOpenTasksHandler } from './application/republish-open-tasks/republish-open-tasks.handler';
import { RequestClarificationHandler } from './application/request-clarification/request-clarification.handler';
import { StartValidationHandler } from './application/start-validation/start-validation.handler';
import { SubmitPrdHandler } from './application/submit-prd/submit-prd.handler';
import { TaskCommandDispatcher } from './application/task-command.dispatcher';
import { TaskCommands } from './application/task-commands';
import { NO_TASK_STATE_TIMINGS } from './application/task-state-timings';
import { postgresTaskManagementRepositories } from './infrastructure/persistence/postgres-repositories';
import { TaskManagementContext } from './task-management.context';
import { type TaskManagementOptions, taskManagementOptions, type TaskManagementOptionsInput } from './task-management.options';
import { TASK_MANAGEMENT } from './task-management.tokens';

export const TASK_MANAGEMENT_HANDLERS = [
  CreateTaskHandler,
  StartValidationHandler,
  RequestClarificationHandler,
  SubmitPrdHandler,
  ProvideClarificationHandler,
  ApprovePrdHandler,
  RejectPrdHandler,
  CancelTaskHandler,
  FailTaskHandler,
  RepublishOpenTasksHandler,
  ConfirmTaskSettledHandler,
] as const;

/**
 * Binds the context, its options parsed once (a bad option throws here). Needs SHARED.UnitOfWork
 * bound by the composition root (with the task-management contracts registered).
 */
export function taskManagementModule(input: TaskManagementOptionsInput = {}): ContainerModule {
  const options = taskManagementOptions(input);
  return new ContainerModule(({ bind, isBound }) => {
    bind<TaskManagementOptions>(TASK_MANAGEMENT.Options).toConstantValue(options);
    if (!isBound(TASK_MANAGEMENT.StateTimings)) bind(TASK_MANAGEMENT.StateTimings).toConstantValue(NO_TASK_STATE_TIMINGS);
    bind(TASK_MANAGEMENT.Repositories).toConstantValue(postgresTaskManagementRepositories);
    bind(TASK_MANAGEMENT.TaskCommands).to(TaskCommands).inSingletonScope();
    for (const handler of TASK_MANAGEMENT_HANDLERS) bind(TASK_MANAGEMENT.CommandHandler).to(handler).inSingletonScope();
    bind(TASK_MANAGEMENT.CommandDispatcher).to(TaskCommandDispatcher).inSingletonScope();
    bind(TASK_MANAGEMENT.Context).to(TaskManagementContext).inSingletonScope();
  });
}
