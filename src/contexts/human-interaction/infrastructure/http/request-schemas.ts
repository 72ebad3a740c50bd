import { NOTIFICATION_STATES } from '../../application/queries/notification-state';
import { z } from 'zod';
import { storedText } from '../../../../shared/kernel/text';
import { clarificationAnswerSchema, taskPrioritySchema } from '../../../task-management/contracts';

/** HTTP bodies: unknown keys are refused so a misspelt field is reported, not silently ignored. */
export const submitRequestBody = z.strictObject({
  title: storedText().trim().min(1).max(200),
  description: storedText().trim().min(1).max(20_000),
  priority: taskPrioritySchema.optional(),
  approverId: storedText().min(1).max(200).optional(),
});

/**
 * Answers name the question they answer (the text as asked, see GET /api/tasks/:id
 * `clarifications`), so a client can never pair an answer with the wrong question by order.
 */
export const answersBody = z.strictObject({
  answers: z.array(clarificationAnswerSchema).min(1).max(50),
});

const prdVersion = z.number().int().positive().optional();

export const approveBody = z.strictObject({ prdVersion });

export const rejectBody = z.strictObject({
  feedback: storedText().trim().min(1).max(10_000),
  prdVersion,
});

export const cancelBody = z.strictObject({ reason: storedText().trim().max(2_000).optional() });

export const taskParams = z.object({ taskId: storedText().min(1).max(200) });
export const notificationParams = z.object({ notificationId: storedText().min(1).max(200) });

export const notificationListQuery = z.object({
  state: z.enum(NOTIFICATION_STATES).optional().meta({ description: 'Only the notifications in this state (`needs-you`: what still needs the caller)' }),
});

/** A PRD version in a query string: digits only, from 1. */
const prdVersionParam = (description: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a positive integer') })
    .regex(/^[1-9]\d{0,8}$/, { message: 'must be a positive integer', abort: true })
    .transform(Number)
    .meta({ description });

/** GET /api/tasks/:taskId/prd/diff?from=1&to=2: two stored versions, the older first. */
export const prdDiffQuery = z
  .object({
    from: prdVersionParam('The older PRD version'),
    to: prdVersionParam('The newer PRD version (greater than from)'),
  })
  .refine((q) => q.from < q.to, { path: ['from'], message: 'must be lower than to' });

/** GET /api/tasks/:taskId/prd.md?version=2: one stored version; the newest without it. */
export const prdExportQuery = z.object({
  version: prdVersionParam('The PRD version to export (default: the newest)').optional(),
});
