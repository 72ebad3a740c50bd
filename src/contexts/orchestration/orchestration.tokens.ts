/** Container tokens of the orchestration context. */
export const ORCHESTRATION = {
  Context: Symbol.for('orchestration.Context'),
  /** Bound by the composition root (an `OrchestrationOptions`). */
  Options: Symbol.for('orchestration.Options'),
  /** Opens the context's repositories on one session (an `OrchestrationRepositoryFactory`). */
  Repositories: Symbol.for('orchestration.Repositories'),
  TaskDriver: Symbol.for('orchestration.TaskDriver'),
  ProjectTaskOnTaskEvent: Symbol.for('orchestration.ProjectTaskOnTaskEvent'),
  TaskScanningService: Symbol.for('orchestration.TaskScanningService'),
  /** An operator's re-drive of one task (RedriveTaskHandler). */
  RedriveTask: Symbol.for('orchestration.RedriveTask'),
} as const;
