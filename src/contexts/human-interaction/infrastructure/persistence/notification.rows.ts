import { z } from 'zod';
import { notificationKindSchema } from '../../contracts';
import type { Notification } from '../../domain/notification';

/** The columns a Notification is read from (`toNotification`). */
export const NOTIFICATION_COLUMNS = [
  'id',
  'recipient_id',
  'task_id',
  'task_version',
  'kind',
  'subject',
  'questions',
  'prd_version',
  'created_at',
  'read_at',
] as const;

const notificationRow = z.object({
  id: z.string(),
  recipient_id: z.string(),
  task_id: z.string().nullable(),
  task_version: z.number().int().nullable(),
  kind: notificationKindSchema,
  subject: z.string(),
  questions: z.array(z.string()).nullable(),
  prd_version: z.number().int().nullable(),
  created_at: z.coerce.date(),
  read_at: z.coerce.date().nullable(),
});

export function toNotification(row: unknown): Notification {
  const r = notificationRow.parse(row);
  return {
    id: r.id,
    recipientId: r.recipient_id,
    taskId: r.task_id,
    taskVersion: r.task_version,
    kind: r.kind,
    subject: r.subject,
    questions: r.questions,
    prdVersion: r.prd_version,
    createdAt: r.created_at,
    readAt: r.read_at,
  };
}
