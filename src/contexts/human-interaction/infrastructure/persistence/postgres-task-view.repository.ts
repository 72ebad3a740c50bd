import type { EntityManager } from 'typeorm';
import { execute } from '../../../../shared/persistence/sql';
import type { TaskSnapshot } from '../../../task-management/contracts';
import type { TaskView } from '../../domain/task-view';
import type { TaskViewRepository } from '../../domain/task-view.repository';
import { hasRole, type User } from '../../domain/user';
import { TASK_VIEW_COLUMNS, toTaskView } from './task-view.rows';

const TABLE = 'human_interaction.task_views';

export class PostgresTaskViewRepository implements TaskViewRepository {
  constructor(private readonly manager: EntityManager) {}

  async insertSubmitted(view: TaskView): Promise<void> {
    await execute(this.manager, `INSERT INTO ${TABLE} (${TASK_VIEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)`, [
      view.taskId,
      view.requesterId,
      view.approverId,
      view.title,
      view.description,
      view.priority,
      view.status,
      view.version,
      view.createdAt,
      view.updatedAt,
    ]);
  }

  async applySnapshot(s: TaskSnapshot): Promise<TaskView> {
    await execute(
      this.manager,
      `INSERT INTO ${TABLE} AS v (${TASK_VIEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
     ON CONFLICT (task_id) DO UPDATE SET requester_id = EXCLUDED.requester_id, approver_id = EXCLUDED.approver_id,
       title = EXCLUDED.title, description = EXCLUDED.description, priority = EXCLUDED.priority, status = EXCLUDED.status,
       version = EXCLUDED.version, snapshot = EXCLUDED.snapshot, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
     WHERE v.version < EXCLUDED.version`,
      [s.taskId, s.requesterId, s.approverId, s.title, s.description, s.priority, s.status, s.version, JSON.stringify(s), s.createdAt, s.updatedAt],
    );
    const view = await this.lock(s.taskId);
    if (!view) throw new Error(`task view ${s.taskId} vanished while being applied`);
    return view;
  }

  async lock(taskId: string): Promise<TaskView | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${TASK_VIEW_COLUMNS} FROM ${TABLE} WHERE task_id = $1 FOR UPDATE`, [taskId]);
    return rows.length === 0 ? undefined : toTaskView(rows[0]);
  }

  async find(taskId: string): Promise<TaskView | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${TASK_VIEW_COLUMNS} FROM ${TABLE} WHERE task_id = $1`, [taskId]);
    return rows.length === 0 ? undefined : toTaskView(rows[0]);
  }

  async listFor(user: User, limit: number): Promise<TaskView[]> {
    const all = hasRole(user, 'admin');
    const { rows } = await execute(
      this.manager,
      `SELECT ${TASK_VIEW_COLUMNS} FROM ${TABLE}
     WHERE $1 OR ($2 AND requester_id = $4) OR ($3 AND approver_id = $4)
     ORDER BY updated_at DESC, task_id LIMIT $5`,
      [all, hasRole(user, 'requester'), hasRole(user, 'approver'), user.id, limit],
    );
    return rows.map(toTaskView);
  }
}
