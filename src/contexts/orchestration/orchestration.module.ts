import { ContainerModule } from 'inversify';
import { ProjectTaskOnTaskEvent } from './application/project-task-on-task-event.handler';
import { RedriveTaskHandler } from './application/redrive-task.handler';
import { TaskDriver } from './application/task-driver';
import { TaskScanningService } from './application/task-scanning.service';
import { postgresOrchestrationRepositories } from './infrastructure/persistence/postgres-repositories';
import { OrchestrationContext } from './orchestration.context';
import { type OrchestrationOptions, orchestrationOptions, type OrchestrationOptionsInput } from './orchestration.options';
import { ORCHESTRATION } from './orchestration.tokens';

export { ORCHESTRATION } from './orchestration.tokens';
export { DEFAULT_ORCHESTRATION_OPTIONS, type OrchestrationOptions, type OrchestrationOptionsInput } from './orchestration.options';

/**
 * Binds the orchestration context, its options parsed once (a bad option throws here). The
 * composition root provides the SHARED services and gets the context under ORCHESTRATION.Context.
 */
export function orchestrationModule(input: OrchestrationOptionsInput = {}): ContainerModule {
  const options = orchestrationOptions(input);
  return new ContainerModule(({ bind }) => {
    bind<OrchestrationOptions>(ORCHESTRATION.Options).toConstantValue(options);
    bind(ORCHESTRATION.Repositories).toConstantValue(postgresOrchestrationRepositories);
    bind(ORCHESTRATION.TaskDriver).to(TaskDriver).inSingletonScope();
    bind(ORCHESTRATION.ProjectTaskOnTaskEvent).to(ProjectTaskOnTaskEvent).inSingletonScope();
    bind(ORCHESTRATION.TaskScanningService).to(TaskScanningService).inSingletonScope();
    bind(ORCHESTRATION.RedriveTask).to(RedriveTaskHandler).inSingletonScope();
    bind(ORCHESTRATION.Context).to(OrchestrationContext).inSingletonScope();
  });
}
