import { ContainerModule } from 'inversify';
import { ProjectTaskOnTaskEvent } from './application/project-task-on-task-event.handler';
import { TaskDriver } from './application/task-driver';
import { TaskScanningService } from './application/task-scanning.service';
import { SqlTaskProjectionRepository } from './infrastructure/persistence/sql-task-projection.repository';
import { OrchestrationContext } from './orchestration.context';
import { ORCHESTRATION } from './orchestration.tokens';

export { ORCHESTRATION } from './orchestration.tokens';
export { DEFAULT_ORCHESTRATION_OPTIONS, type OrchestrationOptions } from './orchestration.options';

/**
 * Binds the orchestration context. The composition root provides the SHARED services and
 * ORCHESTRATION.Options, and gets the context under ORCHESTRATION.Context.
 */
export const orchestrationModule = new ContainerModule(({ bind }) => {
  bind(ORCHESTRATION.ProjectionRepository).to(SqlTaskProjectionRepository).inSingletonScope();
  bind(ORCHESTRATION.TaskDriver).to(TaskDriver).inSingletonScope();
  bind(ORCHESTRATION.ProjectTaskOnTaskEvent).to(ProjectTaskOnTaskEvent).inSingletonScope();
  bind(ORCHESTRATION.TaskScanningService).to(TaskScanningService).inSingletonScope();
  bind(ORCHESTRATION.Context).to(OrchestrationContext).inSingletonScope();
});
