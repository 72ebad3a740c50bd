import { z } from 'zod';
import { taskPrioritySchema, taskSnapshotSchema, taskStatusSchema } from '../../../task-management/contracts';
import type { TaskView } from '../../domain/task-view';

/** DB rows are a boundary too: parsed, never cast. */
export const taskViewRow = z.object({
  task_id: z.string(),
  requester_id: z.string(),
  approver_id: z.string(),
  title: z.string(),
  description: z.string(),
  priority: taskPrioritySchema,
  status: taskStatusSchema,
  version: z.number().int(),
  snapshot: taskSnapshotSchema.nullable(),
  created_at: z.coerce.date(),
  updated_at: z.coerce.date(),
});

export const TASK_VIEW_COLUMNS = 'task_id, requester_id, approver_id, title, description, priority, status, version, snapshot, created_at, updated_at';

export function toTaskView(row: unknown): TaskView {
  const r = taskViewRow.parse(row);
  return {
    taskId: r.task_id,
    requesterId: r.requester_id,
    approverId: r.approver_id,
    title: r.title,
    description: r.description,
    priority: r.priority,
    status: r.status,
    version: r.version,
    snapshot: r.snapshot,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
