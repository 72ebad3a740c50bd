import type { EntityManager } from 'typeorm';
import { execute } from '../../../../shared/persistence/sql';
import type { Notification } from '../../domain/notification';
import { FINAL_NOTIFICATION_KINDS, type NotificationRepository } from '../../domain/notification.repository';
import { NOTIFICATION_COLUMNS, toNotification } from './notification.rows';

const TABLE = 'human_interaction.notifications';
const COLUMNS = NOTIFICATION_COLUMNS.join(', ');

export class PostgresNotificationRepository implements NotificationRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(n: Notification): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
      [n.id, n.recipientId, n.taskId, n.taskVersion, n.kind, n.subject, n.questions ? JSON.stringify(n.questions) : null, n.prdVersion, n.createdAt, n.readAt],
    );
    return rows.length === 1;
  }

  async listOf(recipientId: string, limit: number): Promise<Notification[]> {
    const { rows } = await execute(this.manager, `SELECT ${COLUMNS} FROM ${TABLE} WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [
      recipientId,
      limit,
    ]);
    return rows.map(toNotification);
  }

  async markRead(id: string, recipientId: string, at: Date): Promise<Notification | undefined> {
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND recipient_id = $2 RETURNING ${COLUMNS}`,
      [id, recipientId, at],
    );
    return rows.length === 0 ? undefined : toNotification(rows[0]);
  }

  async hasFinal(taskId: string, taskVersion: number): Promise<boolean> {
    const { rows } = await execute(this.manager, `SELECT 1 FROM ${TABLE} WHERE task_id = $1 AND task_version = $2 AND kind = ANY($3::text[]) LIMIT 1`, [
      taskId,
      taskVersion,
      [...FINAL_NOTIFICATION_KINDS],
    ]);
    return rows.length > 0;
  }

  async markTaskRead(recipientId: string, taskId: string, at: Date): Promise<number> {
    const { rows } = await execute(this.manager, `UPDATE ${TABLE} SET read_at = $3 WHERE recipient_id = $1 AND task_id = $2 AND read_at IS NULL RETURNING id`, [
      recipientId,
      taskId,
      at,
    ]);
    return rows.length;
  }

  async markAllRead(recipientId: string, at: Date): Promise<number> {
    const { rows } = await execute(this.manager, `UPDATE ${TABLE} SET read_at = $2 WHERE recipient_id = $1 AND read_at IS NULL RETURNING id`, [
      recipientId,
      at,
    ]);
    return rows.length;
  }
}
