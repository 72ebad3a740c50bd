import { z } from 'zod';

export const taskManagementOptionsSchema = z.object({
  /**
   * Upper bound on the tasks one republish command re-announces, whatever limit it asks for:
   * every snapshot carries the whole history and they all go out in one transaction.
   */
  maxRepublishBatch: z.number().int().min(1).default(500),
});

/** The options as the context uses them, every default applied. */
export type TaskManagementOptions = z.output<typeof taskManagementOptionsSchema>;
/** What `taskManagementModule` takes: any option left out gets its default. */
export type TaskManagementOptionsInput = z.input<typeof taskManagementOptionsSchema>;

export function taskManagementOptions(input: TaskManagementOptionsInput = {}): TaskManagementOptions {
  return taskManagementOptionsSchema.parse(input);
}

export const DEFAULT_TASK_MANAGEMENT_OPTIONS: TaskManagementOptions = taskManagementOptions();
