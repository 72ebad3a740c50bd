import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { notificationKindSchema } from '../../contracts';
import type { Notification } from '../../domain/notification';

const TABLE = 'human_interaction.notifications';
/** The columns a Notification is read from (`toNotification`). */
export const NOTIFICATION_COLUMNS = ['id', 'recipient_id', 'task_id', 'task_version', 'kind', 'subject', 'questions', 'prd_version', 'created_at', 'read_at'] as const;
const COLUMNS = NOTIFICATION_COLUMNS.join(', ');

const notificationRow = z.object({
  id: z.string(),
  recipient_id: z.string(),
  task_id: z.string(),
  task_version: z.number().int(),
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

/** Returns false when a notification with this id exists already: one per recipient and state entry. */
export async function insertNotification(manager: EntityManager, n: Notification): Promise<boolean> {
  const { rows } = await execute(
    manager,
    `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
    [n.id, n.recipientId, n.taskId, n.taskVersion, n.kind, n.subject, n.questions ? JSON.stringify(n.questions) : null, n.prdVersion, n.createdAt, n.readAt],
  );
  return rows.length === 1;
}

export async function listNotificationsOf(manager: EntityManager, recipientId: string, limit: number): Promise<Notification[]> {
  const { rows } = await execute(
    manager,
    `SELECT ${COLUMNS} FROM ${TABLE} WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [recipientId, limit],
  );
  return rows.map(toNotification);
}

/** Marks it read once (the first read time stays); undefined when it is not the recipient's. */
export async function markNotificationRead(manager: EntityManager, id: string, recipientId: string, at: Date): Promise<Notification | undefined> {
  const { rows } = await execute(
    manager,
    `UPDATE ${TABLE} SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND recipient_id = $2 RETURNING ${COLUMNS}`,
    [id, recipientId, at],
  );
  return rows.length === 0 ? undefined : toNotification(rows[0]);
}

/** Marks every unread notification of a task for its recipient read; the number marked. */
export async function markTaskNotificationsRead(manager: EntityManager, recipientId: string, taskId: string, at: Date): Promise<number> {
  const { rows } = await execute(
    manager,
    `UPDATE ${TABLE} SET read_at = $3 WHERE recipient_id = $1 AND task_id = $2 AND read_at IS NULL RETURNING id`,
    [recipientId, taskId, at],
  );
  return rows.length;
}
