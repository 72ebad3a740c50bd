export interface TaskManagementOptions {
  /**
   * Upper bound on the tasks one republish command re-announces, whatever limit it asks for:
   * every snapshot carries the whole history and they all go out in one transaction.
   */
  readonly maxRepublishBatch: number;
}

export const DEFAULT_TASK_MANAGEMENT_OPTIONS: TaskManagementOptions = {
  maxRepublishBatch: 500,
};
