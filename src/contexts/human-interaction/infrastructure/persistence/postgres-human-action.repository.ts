import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { envelopeSchema } from '../../../../shared/messaging/envelope';
import { execute } from '../../../../shared/persistence/sql';
import type { HumanActionRepository, RecordedAction } from '../../application/human-action.repository';
import { HUMAN_ACTIONS } from '../../domain/human-action';

const TABLE = 'human_interaction.human_actions';
const actionRow = z.object({ task_id: z.string(), task_version: z.number().int(), action: z.enum(HUMAN_ACTIONS), envelope: envelopeSchema });

function toRecordedAction(row: unknown): RecordedAction {
  const r = actionRow.parse(row);
  return { taskId: r.task_id, taskVersion: r.task_version, action: r.action, envelope: r.envelope };
}

export class PostgresHumanActionRepository implements HumanActionRepository {
  constructor(private readonly manager: EntityManager) {}

  async record(action: RecordedAction, at: Date): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `INSERT INTO ${TABLE} (task_id, task_version, action, envelope, created_at, last_sent_at) VALUES ($1, $2, $3, $4::jsonb, $5, $5)
     ON CONFLICT DO NOTHING RETURNING task_id`,
      [action.taskId, action.taskVersion, action.action, JSON.stringify(action.envelope), at],
    );
    return rows.length === 1;
  }

  async at(taskId: string, taskVersion: number): Promise<RecordedAction[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT task_id, task_version, action, envelope FROM ${TABLE} WHERE task_id = $1 AND task_version = $2 ORDER BY created_at, action`,
      [taskId, taskVersion],
    );
    return rows.map(toRecordedAction);
  }

  async markResent(action: RecordedAction, at: Date): Promise<void> {
    await execute(this.manager, `UPDATE ${TABLE} SET last_sent_at = $4 WHERE task_id = $1 AND task_version = $2 AND action = $3`, [
      action.taskId,
      action.taskVersion,
      action.action,
      at,
    ]);
  }

  /** Rows are locked with SKIP LOCKED so several processes never re-send the same one at once. */
  async unconfirmedSubmissions(sentBefore: Date, limit: number): Promise<RecordedAction[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT a.task_id, a.task_version, a.action, a.envelope FROM ${TABLE} a
     JOIN human_interaction.task_views v ON v.task_id = a.task_id AND v.version = 0
     WHERE a.action = 'create' AND a.last_sent_at < $1
     ORDER BY a.last_sent_at LIMIT $2 FOR UPDATE OF a SKIP LOCKED`,
      [sentBefore, limit],
    );
    return rows.map(toRecordedAction);
  }
}
