import type { EntityManager } from 'typeorm';
import { ConcurrencyConflictError } from '../../../../shared/messaging/errors';
import { execute } from '../../../../shared/persistence/sql';
import type { Transition } from '../../contracts';
import type { Task } from '../../domain/task';
import { TaskNotFound } from '../../domain/task.errors';
import type { IdleTasksQuery, TaskRepository } from '../../domain/task.repository';
import { detailsOf, TASK_COLUMNS, taskRow, toTask, toTransition, TRANSITION_COLUMNS, transitionRow, type TaskRow } from './task.rows';

const TERMINAL = `('APPROVED', 'CANCELLED', 'FAILED')`;

/** Parameterised SQL on the session's connection (the caller's transaction: one connection on PGlite). */
export class PostgresTaskRepository implements TaskRepository {
  constructor(private readonly manager: EntityManager) {}

  async find(taskId: string): Promise<Task | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${TASK_COLUMNS} FROM task_management.tasks WHERE id = $1`, [taskId]);
    const [task] = await this.withHistory(rows.map((row) => taskRow.parse(row)));
    return task;
  }

  async get(taskId: string): Promise<Task> {
    const task = await this.find(taskId);
    if (!task) throw new TaskNotFound(taskId);
    return task;
  }

  async insert(task: Task): Promise<void> {
    const s = task.current;
    const { rows } = await execute(
      this.manager,
      `INSERT INTO task_management.tasks (id, title, description, requester_id, approver_id, priority, status, version, assigned_pool, prd_version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [s.taskId, s.title, s.description, s.requesterId, s.approverId, s.priority, s.status, s.version, s.assignedPool, s.prdVersion, s.createdAt, s.updatedAt],
    );
    if (rows.length === 0) throw new ConcurrencyConflictError('Task', s.taskId, 0);
    await this.insertTransitions(s.taskId, task.unsavedTransitions);
    task.markSaved();
  }

  async save(task: Task): Promise<void> {
    const s = task.current;
    const { affected } = await execute(
      this.manager,
      `UPDATE task_management.tasks SET status = $3, version = $4, assigned_pool = $5, prd_version = $6, updated_at = $7
       WHERE id = $1 AND version = $2`,
      [s.taskId, task.persistedVersion, s.status, s.version, s.assignedPool, s.prdVersion, s.updatedAt],
    );
    if (affected !== 1) throw new ConcurrencyConflictError('Task', s.taskId, task.persistedVersion);
    await this.insertTransitions(s.taskId, task.unsavedTransitions);
    task.markSaved();
  }

  async listIdleSince(query: IdleTasksQuery): Promise<Task[]> {
    // Two statements, each served by its own partial index, instead of one OR that scans every
    // task ever finished on every sweep. Open tasks first: they are the ones someone waits for.
    const open = await execute(
      this.manager,
      `SELECT ${TASK_COLUMNS} FROM task_management.tasks
       WHERE status NOT IN ${TERMINAL} AND GREATEST(updated_at, republished_at) <= $1
       ORDER BY GREATEST(updated_at, republished_at), id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [query.idleSince, query.limit],
    );
    const room = query.limit - open.rows.length;
    // A terminal task's updated_at is when it finished: no transition follows a terminal one.
    // One that human interaction confirmed settled at its version owes nobody anything.
    // Its back-off: re-announced again only once it waited as long as it had been finished at
    // its last re-announcement (a republished_at from before it finished does not count).
    const finished =
      room <= 0
        ? { rows: [] }
        : await execute(
            this.manager,
            `SELECT ${TASK_COLUMNS} FROM task_management.tasks
             WHERE status IN ${TERMINAL} AND settled_version IS DISTINCT FROM version AND updated_at > $2 AND GREATEST(updated_at, republished_at) <= $1
               AND (republished_at IS NULL OR republished_at <= updated_at OR republished_at + (republished_at - updated_at) <= $3)
             ORDER BY GREATEST(updated_at, republished_at), id LIMIT $4 FOR UPDATE SKIP LOCKED`,
            [query.idleSince, query.finishedAfter, query.now, room],
          );
    return this.withHistory([...open.rows, ...finished.rows].map((row) => taskRow.parse(row)));
  }

  async markRepublished(taskIds: readonly string[], at: Date): Promise<void> {
    if (taskIds.length === 0) return;
    await execute(this.manager, `UPDATE task_management.tasks SET republished_at = $2 WHERE id = ANY($1::text[])`, [[...taskIds], at]);
  }

  async markSettled(taskId: string, version: number): Promise<boolean> {
    // A task that finished from REQUEST_VALIDATION may have left product definition with a work
    // item it has not heard is over; human interaction cannot vouch for that, so such a task keeps
    // its re-announcements.
    const { rows } = await execute(
      this.manager,
      `UPDATE task_management.tasks t SET settled_version = $2
       WHERE t.id = $1 AND t.version = $2 AND t.status IN ${TERMINAL}
         AND NOT EXISTS (SELECT 1 FROM task_management.task_transitions tr WHERE tr.task_id = t.id AND tr.version = t.version AND tr.from_status = 'REQUEST_VALIDATION')
       RETURNING t.id`,
      [taskId, version],
    );
    return rows.length > 0;
  }

  private async withHistory(tasks: readonly TaskRow[]): Promise<Task[]> {
    if (tasks.length === 0) return [];
    const { rows } = await execute(
      this.manager,
      `SELECT ${TRANSITION_COLUMNS} FROM task_management.task_transitions WHERE task_id = ANY($1::text[]) ORDER BY task_id, version`,
      [tasks.map((t) => t.id)],
    );
    const history = new Map<string, Transition[]>();
    for (const row of rows.map((r) => transitionRow.parse(r))) {
      const list = history.get(row.task_id) ?? [];
      list.push(toTransition(row));
      history.set(row.task_id, list);
    }
    return tasks.map((row) => toTask(row, history.get(row.id) ?? []));
  }

  private async insertTransitions(taskId: string, transitions: readonly Transition[]): Promise<void> {
    if (transitions.length === 0) return;
    const params: unknown[] = [];
    const values = transitions.map((t, i) => {
      params.push(taskId, t.version, t.from, t.to, t.at, t.actor, t.messageId, t.correlationId, JSON.stringify(detailsOf(t)));
      const b = i * 9;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}::jsonb)`;
    });
    await execute(this.manager, `INSERT INTO task_management.task_transitions (${TRANSITION_COLUMNS}) VALUES ${values.join(', ')}`, params);
  }
}
