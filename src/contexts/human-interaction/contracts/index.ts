import { z } from 'zod';
import { storedText } from '../../../shared/kernel/text';
import { defineContract } from '../../../shared/messaging/contract-registry';

/** The published language of Human Interaction. Its commands to Task Management live there. */

export const NOTIFICATION_KINDS = [
  'clarification-requested',
  'prd-ready-for-review',
  'task-approved',
  'task-cancelled',
  'task-failed',
  // Alerts to the people configured for them (ALERT_RECIPIENTS): created by human interaction itself.
  'alert-stalled',
  'alert-moved-on',
  'alert-task-failed',
  'alert-no-worker',
  'alert-worker-back',
] as const;
export const notificationKindSchema = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof notificationKindSchema>;

/**
 * Tell a person something about a task. `notificationId` is derived from the task, its version
 * and the recipient, so asking twice for the same state entry yields one notification.
 */
export const SendNotification = defineContract(
  'human-interaction.send-notification.v1',
  'command',
  z.object({
    notificationId: storedText().min(1),
    taskId: storedText().min(1),
    taskVersion: z.number().int().positive(),
    recipientId: storedText().min(1),
    kind: notificationKindSchema,
    subject: storedText().min(1).max(300),
    questions: z.array(storedText().min(1)).optional(),
    prdVersion: z.number().int().positive().optional(),
  }),
);

export const NotificationCreated = defineContract(
  'human-interaction.notification-created.v1',
  'event',
  z.object({
    notificationId: storedText().min(1),
    /** Null for an alert about no task (`alert-no-worker`, `alert-worker-back`). */
    taskId: storedText().min(1).nullable(),
    recipientId: storedText().min(1),
    kind: notificationKindSchema,
    createdAt: z.iso.datetime({ offset: true }),
  }),
);

export const humanInteractionContracts = [SendNotification, NotificationCreated] as const;
