import { z } from 'zod';
import { storedText } from '../../../shared/kernel/text';
import { defineContract } from '../../../shared/messaging/contract-registry';

/** The published language of Task Management: what it accepts and what it announces. */

export const TASK_STATUSES = ['NEW', 'REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'PRD_VALIDATION', 'APPROVED', 'CANCELLED', 'FAILED'] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['APPROVED', 'CANCELLED', 'FAILED'];

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const taskPrioritySchema = z.enum(TASK_PRIORITIES);
export type TaskPriority = z.infer<typeof taskPrioritySchema>;

/** The pool of agents that validates requests and writes PRDs. */
export const PRODUCT_MANAGER_POOL = 'product-manager';

const id = storedText().min(1).max(200);
const text = (max: number) => storedText().trim().min(1).max(max);

export const clarificationAnswerSchema = z.object({ question: text(2_000), answer: text(10_000) });
export type ClarificationAnswer = z.infer<typeof clarificationAnswerSchema>;

/** One entry of a task's history: who or what moved it, why, and what came with the move. */
export const transitionSchema = z.object({
  from: taskStatusSchema.nullable(),
  to: taskStatusSchema,
  version: z.number().int().positive(),
  at: z.iso.datetime({ offset: true }),
  /** `user:<id>` for a person, `service:<name>` for a process. */
  actor: id,
  messageId: storedText().nullable(),
  correlationId: storedText().nullable(),
  reason: storedText().optional(),
  assignedPool: storedText().optional(),
  questions: z.array(text(2_000)).optional(),
  answers: z.array(clarificationAnswerSchema).optional(),
  prdVersion: z.number().int().positive().optional(),
  feedback: storedText().optional(),
});
export type Transition = z.infer<typeof transitionSchema>;

/**
 * Every task event carries the whole task (event-carried state transfer): a consumer that missed
 * earlier events can rebuild what it needs from any one of them, which is what lets the sweeps
 * repair lost messages. Consumers apply a snapshot only when its version is newer than theirs.
 */
export const taskSnapshotSchema = z.object({
  taskId: id,
  title: text(200),
  description: text(20_000),
  requesterId: id,
  approverId: id,
  priority: taskPrioritySchema,
  status: taskStatusSchema,
  version: z.number().int().positive(),
  assignedPool: storedText().nullable(),
  /** The PRD version awaiting or given a decision; null before the first PRD. */
  prdVersion: z.number().int().positive().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  history: z.array(transitionSchema).min(1),
});
export type TaskSnapshot = z.infer<typeof taskSnapshotSchema>;

// Events
export const TaskCreated = defineContract('task-management.task-created.v1', 'event', taskSnapshotSchema);
export const TaskStatusChanged = defineContract('task-management.task-status-changed.v1', 'event', taskSnapshotSchema);
/** The current state again, with no new transition: the answer to RepublishOpenTasks. */
export const TaskSnapshotPublished = defineContract('task-management.task-snapshot.v1', 'event', taskSnapshotSchema);
export const TASK_EVENT_TYPES = [TaskCreated.type, TaskStatusChanged.type, TaskSnapshotPublished.type] as const;

// Commands. `expectedVersion`, when given, must equal the task's version or the command is stale.
const expectedVersion = z.number().int().positive().optional();

export const CreateTask = defineContract(
  'task-management.create-task.v1',
  'command',
  z.object({ taskId: id, title: text(200), description: text(20_000), requesterId: id, approverId: id, priority: taskPrioritySchema.default('normal') }),
);
export const StartValidation = defineContract('task-management.start-validation.v1', 'command', z.object({ taskId: id, pool: id, expectedVersion }));
export const RequestClarification = defineContract(
  'task-management.request-clarification.v1',
  'command',
  z.object({ taskId: id, questions: z.array(text(2_000)).min(1).max(20), expectedVersion }),
);
export const SubmitPrd = defineContract(
  'task-management.submit-prd.v1',
  'command',
  z.object({ taskId: id, prdVersion: z.number().int().positive(), expectedVersion }),
);
export const ProvideClarification = defineContract(
  'task-management.provide-clarification.v1',
  'command',
  z.object({ taskId: id, userId: id, answers: z.array(clarificationAnswerSchema).min(1), expectedVersion }),
);
export const ApprovePrd = defineContract(
  'task-management.approve-prd.v1',
  'command',
  z.object({ taskId: id, userId: id, prdVersion: z.number().int().positive() }),
);
export const RejectPrd = defineContract(
  'task-management.reject-prd.v1',
  'command',
  z.object({ taskId: id, userId: id, prdVersion: z.number().int().positive(), feedback: text(10_000) }),
);
export const CancelTask = defineContract(
  'task-management.cancel-task.v1',
  'command',
  z.object({ taskId: id, userId: id, reason: storedText().max(2_000).optional() }),
);
export const FailTask = defineContract('task-management.fail-task.v1', 'command', z.object({ taskId: id, reason: text(2_000), expectedVersion }));
/** Re-announce every open task untouched for `idleForMs` (the sweep that repairs lost events). */
export const RepublishOpenTasks = defineContract(
  'task-management.republish-open-tasks.v1',
  'command',
  z.object({
    idleForMs: z.number().int().nonnegative(),
    limit: z.number().int().positive().max(10_000).default(500),
    /**
     * Finished (terminal) tasks whose last transition is newer than this are re-announced too, so
     * a consumer that missed the final event still learns it. 0 (the default): open tasks only.
     */
    includeFinishedWithinMs: z.number().int().nonnegative().default(0),
    /**
     * Only these tasks, open or finished, whatever their idleness (an operator's re-drive of one
     * task); the other fields are then ignored.
     */
    taskIds: z.array(id).min(1).max(500).optional(),
  }),
);
/**
 * Human interaction holds everything a finished task owes it (the final state, the PRD the task
 * ended with, the final notification): the sweep stops re-announcing the task at that version.
 * Nothing else changes; a task at another version, or not finished, is left as it is.
 */
export const ConfirmTaskSettled = defineContract(
  'task-management.confirm-task-settled.v1',
  'command',
  z.object({ taskId: id, taskVersion: z.number().int().positive() }),
);

export const taskManagementContracts = [
  TaskCreated,
  TaskStatusChanged,
  TaskSnapshotPublished,
  CreateTask,
  StartValidation,
  RequestClarification,
  SubmitPrd,
  ProvideClarification,
  ApprovePrd,
  RejectPrd,
  CancelTask,
  FailTask,
  RepublishOpenTasks,
  ConfirmTaskSettled,
] as const;
