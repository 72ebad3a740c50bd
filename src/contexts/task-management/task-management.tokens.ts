/** Container tokens of the task-management context. */
export const TASK_MANAGEMENT = {
  Context: Symbol.for('task-management.Context'),
  /** A `TaskManagementOptions`; the module binds it from what the composition root passes. */
  Options: Symbol.for('task-management.Options'),
  /** Opens the context's repositories on one session (a `TaskManagementRepositoryFactory`). */
  Repositories: Symbol.for('task-management.Repositories'),
  TaskCommands: Symbol.for('task-management.TaskCommands'),
  /** Every command handler, multi-bound; the dispatcher routes to them by message type. */
  CommandHandler: Symbol.for('task-management.CommandHandler'),
  CommandDispatcher: Symbol.for('task-management.CommandDispatcher'),
  /** A `TaskStateTimings`: the composition root may bind one (metrics) before loading the module. */
  StateTimings: Symbol.for('task-management.StateTimings'),
} as const;
