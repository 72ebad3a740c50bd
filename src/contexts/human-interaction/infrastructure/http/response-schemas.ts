import { z } from 'zod';
import { prdChangeSchema, prdDocumentSchema, requirementPrioritySchema } from '../../../product-definition/contracts';
import { PRD_DIFF_SECTIONS } from '../../application/prd-diff/prd-diff';
import { NOTIFICATION_STATES } from '../../application/queries/notification-state';
import { notificationKindSchema } from '../../contracts';
import { taskPrioritySchema, taskStatusSchema, transitionSchema } from '../../../task-management/contracts';

/**
 * What the API answers, as zod schemas: the OpenAPI document is generated from them (see
 * api-description.ts), and tests parse real answers with them, so the description cannot drift
 * from what the routes send.
 */

const isoInstant = z.iso.datetime({ offset: true });
const links = z.record(z.string(), z.string()).meta({ description: 'Related URLs, relative to the service' });

export const taskSummaryView = z
  .object({
    taskId: z.string(),
    title: z.string(),
    description: z.string(),
    status: taskStatusSchema,
    version: z.number().int().meta({ description: 'The task version; 0 until task management confirms the submission' }),
    requesterId: z.string(),
    approverId: z.string(),
    priority: taskPrioritySchema,
    prdVersion: z.number().int().nullable(),
    createdAt: isoInstant,
    updatedAt: isoInstant,
  })
  .meta({ id: 'TaskSummary' });

export const taskListView = z.object({ tasks: z.array(taskSummaryView.extend({ links })) }).meta({ id: 'TaskList' });

export const taskDetailsView = z
  .object({
    task: taskSummaryView,
    history: z.array(transitionSchema.meta({ id: 'Transition' })).meta({ description: 'Every transition, oldest first' }),
    clarifications: z
      .array(z.object({ question: z.string(), answer: z.string().optional() }))
      .meta({ description: 'Every question asked, with its answer once given' }),
    prd: z.object({ version: z.number().int(), document: prdDocumentSchema.meta({ id: 'PrdDocument' }) }).nullable(),
    prdVersions: z.array(z.number().int()),
  })
  .meta({ id: 'TaskDetails' });

const wordChangeView = z.object({ kind: z.enum(['same', 'added', 'removed']), text: z.string() });
const requirementDiffView = z
  .discriminatedUnion('status', [
    z.object({ id: z.string(), status: z.enum(['added', 'removed', 'unchanged']), description: z.string(), priority: requirementPrioritySchema }),
    z.object({
      id: z.string(),
      status: z.literal('changed'),
      description: z
        .object({ from: z.string(), to: z.string(), words: z.array(wordChangeView) })
        .meta({ description: 'The old and new text, and the word-level diff from one to the other (runs of same, added and removed words, in order)' }),
      priority: z.object({ from: requirementPrioritySchema, to: requirementPrioritySchema }),
    }),
  ])
  .meta({ id: 'RequirementDiff', description: 'One requirement id (FR-n, NFR-n; ids are kept across versions) and what happened to it' });

export const prdDiffView = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    requirements: z.array(requirementDiffView).meta({ description: 'Every requirement of either version, functional first, in id order' }),
    sections: z
      .array(z.object({ section: z.enum(PRD_DIFF_SECTIONS), added: z.array(z.string()), removed: z.array(z.string()) }))
      .meta({ description: 'The other sections that changed, with the item texts only the newer (added) or the older (removed) version has' }),
    changeLog: z.array(prdChangeSchema).meta({ description: "The newer version's change log, as its agent wrote it" }),
  })
  .meta({ id: 'PrdDiff' });

export const submittedView = z
  .object({ taskId: z.string(), status: z.literal('NEW'), links })
  .meta({ id: 'Submitted', description: 'Accepted: task management confirms the task asynchronously; follow links.self' });

export const acceptedView = z
  .object({
    taskId: z.string(),
    action: z.string(),
    taskVersion: z.number().int().meta({ description: 'The task version the action was checked against' }),
    status: z.literal('accepted'),
    links,
  })
  .meta({ id: 'Accepted', description: 'The command is on its way; task management has the final word, GET the task to see it' });

export const notificationView = z
  .object({
    id: z.string(),
    taskId: z.string(),
    taskVersion: z.number().int(),
    kind: notificationKindSchema,
    subject: z.string(),
    questions: z.array(z.string()).nullable(),
    prdVersion: z.number().int().nullable(),
    createdAt: isoInstant,
    readAt: isoInstant.nullable(),
    state: z.enum(NOTIFICATION_STATES).meta({
      description:
        'Whether it still needs the caller, computed now: needs-you; done (answered, decided, or nothing to do); superseded (a newer PRD version or question round replaced it); task-finished (the task was approved, cancelled or failed)',
    }),
    supersededBy: z
      .number()
      .int()
      .optional()
      .meta({ description: 'With state superseded: the newer PRD version (a review) or question round (a clarification) that replaced it' }),
    taskStatus: taskStatusSchema.nullable().meta({ description: "The task's status now; null for a notification about no task" }),
    links,
    actions: z.record(z.string(), z.string()).optional().meta({
      description:
        'Signed one-click action links (answer, approve, reject; redrive on a stall alert): absolute URLs of the web inbox, bound to the recipient, single use; only while the state is needs-you',
    }),
  })
  .meta({ id: 'Notification' });

export const notificationListView = z.object({ notifications: z.array(notificationView) }).meta({ id: 'NotificationList' });
export const oneNotificationView = z.object({ notification: notificationView });
export const markedReadView = z
  .object({ marked: z.number().int().meta({ description: 'How many notifications were unread and are read now' }) })
  .meta({ id: 'MarkedRead' });

export const apiTokenView = z
  .object({
    id: z.string(),
    userId: z.string(),
    label: z.string(),
    createdAt: isoInstant,
    expiresAt: isoInstant.nullable().meta({ description: 'From this instant on the token is refused (401) as an unknown one is; null: never' }),
    lastUsedAt: isoInstant.nullable().meta({ description: 'Approximate (to the minute)' }),
    revokedAt: isoInstant.nullable(),
  })
  .meta({ id: 'ApiToken' });

export const issuedTokenView = apiTokenView
  .extend({ token: z.string().meta({ description: 'The bearer token. Shown in this answer only; the service keeps its sha256' }) })
  .meta({ id: 'IssuedApiToken' });

export const apiTokenListView = z.object({ tokens: z.array(apiTokenView) });
export const oneApiTokenView = z.object({ token: apiTokenView });

// Error bodies: every refusal is JSON with a machine-readable `error`.
export const invalidRequestError = z
  .object({ error: z.literal('invalid_request'), issues: z.array(z.object({ field: z.string(), message: z.string() })) })
  .meta({ id: 'InvalidRequest', description: 'The request is malformed; each issue names the field' });
export const unauthorizedError = z.object({ error: z.literal('unauthorized'), message: z.string() }).meta({
  id: 'Unauthorized',
  description: 'No bearer token, or one nobody has (or revoked, or expired); the message says what to send, the same in every case',
});
export const refusalError = (code: 'forbidden' | 'not_found' | 'conflict', id: string, description: string) =>
  z.object({ error: z.literal(code), message: z.string().optional() }).meta({ id, description });
export const forbiddenError = refusalError('forbidden', 'Forbidden', 'The caller is known but may not do this (not their task, not their role)');
export const notFoundError = refusalError('not_found', 'NotFound', 'No such task, notification or token');
export const conflictError = refusalError(
  'conflict',
  'Conflict',
  'The task is not in a state where this action applies (e.g. not PRD_VALIDATION, another PRD version), or a chosen channel is not configured on this server',
);
export const idempotencyKeyReusedError = z
  .object({ error: z.literal('idempotency_key_reused'), message: z.string() })
  .meta({ id: 'IdempotencyKeyReused', description: 'The Idempotency-Key was already used by this caller for a different request to this route' });
export const idempotencyKeyInProgressError = z.object({ error: z.literal('idempotency_key_in_progress'), message: z.string() }).meta({
  id: 'IdempotencyKeyInProgress',
  description: 'A request with this Idempotency-Key is still running (waited IDEMPOTENCY_KEY_WAIT_MS); send it again after Retry-After seconds',
});
export const bodyTooLargeError = z
  .object({ error: z.literal('invalid_request'), issues: z.array(z.object({ field: z.literal('body'), message: z.string() })) })
  .meta({ id: 'BodyTooLarge', description: 'The body exceeds BODY_LIMIT_BYTES' });
