import { z } from 'zod';
import { taskPrioritySchema, taskStatusSchema, transitionSchema, type Transition } from '../../contracts';
import { Task } from '../../domain/task';

/** Rows come back from the driver as `unknown`; these schemas are the boundary. */

export const TASK_COLUMNS = `id, title, description, requester_id, approver_id, priority, status, version, assigned_pool, prd_version, created_at, updated_at`;
export const TRANSITION_COLUMNS = `task_id, version, from_status, to_status, at, actor, message_id, correlation_id, details`;

export const taskRow = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  requester_id: z.string(),
  approver_id: z.string(),
  priority: taskPrioritySchema,
  status: taskStatusSchema,
  version: z.number().int(),
  assigned_pool: z.string().nullable(),
  prd_version: z.number().int().nullable(),
  created_at: z.coerce.date(),
  updated_at: z.coerce.date(),
});
export type TaskRow = z.infer<typeof taskRow>;

export const transitionDetails = transitionSchema.pick({ reason: true, assignedPool: true, questions: true, answers: true, prdVersion: true, feedback: true });

export const transitionRow = z.object({
  task_id: z.string(),
  version: z.number().int(),
  from_status: taskStatusSchema.nullable(),
  to_status: taskStatusSchema,
  at: z.coerce.date(),
  actor: z.string(),
  message_id: z.string().nullable(),
  correlation_id: z.string().nullable(),
  details: transitionDetails,
});
export type TransitionRow = z.infer<typeof transitionRow>;

export function toTransition(row: TransitionRow): Transition {
  return {
    from: row.from_status,
    to: row.to_status,
    version: row.version,
    at: row.at.toISOString(),
    actor: row.actor,
    messageId: row.message_id,
    correlationId: row.correlation_id,
    ...row.details,
  };
}

/** The details a transition carries beyond who, when and where to: stored as one jsonb value. */
export function detailsOf(transition: Transition): z.infer<typeof transitionDetails> {
  const { reason, assignedPool, questions, answers, prdVersion, feedback } = transition;
  return transitionDetails.parse({ reason, assignedPool, questions, answers, prdVersion, feedback });
}

export function toTask(row: TaskRow, history: readonly Transition[]): Task {
  return Task.rehydrate({
    taskId: row.id,
    title: row.title,
    description: row.description,
    requesterId: row.requester_id,
    approverId: row.approver_id,
    priority: row.priority,
    status: row.status,
    version: row.version,
    assignedPool: row.assigned_pool,
    prdVersion: row.prd_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history,
  });
}
