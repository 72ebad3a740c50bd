import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { taskStatusSchema } from '../../../task-management/contracts';
import { ConcurrencyConflictError } from '../../../../shared/messaging/errors';
import { execute } from '../../../../shared/persistence/sql';
import type { DriveBookkeeping, DueTasksQuery, TaskProjectionRepository } from '../../application/task-projection.repository';
import { REDRIVEN_STATUSES } from '../../domain/drive-decision';
import type { ProjectedTask, TaskProjection } from '../../domain/task-projection';

const TABLE = 'orchestration.task_projection';
const TERMINAL_SQL = `('APPROVED', 'CANCELLED', 'FAILED')`;

const rowSchema = z.object({
  task_id: z.string(),
  status: taskStatusSchema,
  version: z.number().int(),
  title: z.string(),
  requester_id: z.string(),
  approver_id: z.string(),
  prd_version: z.number().int().nullable(),
  questions: z.array(z.string()).nullable(),
  status_since: z.coerce.date(),
  driven_version: z.number().int(),
  driven_at: z.coerce.date().nullable(),
  alerted_version: z.number().int(),
});

function toProjection(row: unknown): TaskProjection {
  const r = rowSchema.parse(row);
  return {
    taskId: r.task_id,
    status: r.status,
    version: r.version,
    title: r.title,
    requesterId: r.requester_id,
    approverId: r.approver_id,
    prdVersion: r.prd_version,
    questions: r.questions,
    statusSince: r.status_since,
    drivenVersion: r.driven_version,
    drivenAt: r.driven_at,
    alertedVersion: r.alerted_version,
  };
}

/** Parameterised SQL on the session's connection (the caller's transaction, which holds the row locks). */
export class PostgresTaskProjectionRepository implements TaskProjectionRepository {
  constructor(private readonly manager: EntityManager) {}

  async apply(task: ProjectedTask, updatedAt: Date): Promise<TaskProjection | null> {
    // The WHERE on the conflict branch is the version check: an equal or older snapshot keeps
    // the row (and its driven/alerted bookkeeping) as it is. RETURNING * hands the caller the
    // stored row, so the common case (a newer snapshot) needs no second read.
    const { rows } = await execute(
      this.manager,
      `INSERT INTO ${TABLE} (task_id, status, version, title, requester_id, approver_id, prd_version, questions, status_since, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::timestamptz, $10::timestamptz)
       ON CONFLICT (task_id) DO UPDATE SET
         status = EXCLUDED.status, version = EXCLUDED.version, title = EXCLUDED.title,
         requester_id = EXCLUDED.requester_id, approver_id = EXCLUDED.approver_id,
         prd_version = EXCLUDED.prd_version, questions = EXCLUDED.questions,
         status_since = EXCLUDED.status_since, updated_at = EXCLUDED.updated_at
       WHERE ${TABLE}.version < EXCLUDED.version
       RETURNING *`,
      [
        task.taskId,
        task.status,
        task.version,
        task.title,
        task.requesterId,
        task.approverId,
        task.prdVersion,
        task.questions === null ? null : JSON.stringify(task.questions),
        task.statusSince.toISOString(),
        updatedAt.toISOString(),
      ],
    );
    return rows.length === 0 ? null : toProjection(rows[0]);
  }

  async lock(taskId: string): Promise<TaskProjection | null> {
    const { rows } = await execute(this.manager, `SELECT * FROM ${TABLE} WHERE task_id = $1 FOR UPDATE`, [taskId]);
    return rows.length === 0 ? null : toProjection(rows[0]);
  }

  async lockDue(query: DueTasksQuery): Promise<TaskProjection[]> {
    // Mirrors decideDrive (which has the last word): an unseen version, a step old enough to be
    // sent again, or a stall not yet alerted. The first clause matches the partial index.
    const { rows } = await execute(
      this.manager,
      `SELECT * FROM ${TABLE}
       WHERE (status NOT IN ${TERMINAL_SQL} OR driven_version < version)
         AND NOT (task_id = ANY($5::text[]))
         AND (driven_version < version
           OR (status = ANY($2::text[]) AND (driven_at IS NULL OR driven_at <= $1::timestamptz - $3::double precision * interval '1 millisecond'))
           OR (alerted_version < version
             AND status_since < $1::timestamptz - ($4::jsonb ->> status)::double precision * interval '1 millisecond'))
       ORDER BY driven_at NULLS FIRST
       LIMIT $6
       FOR UPDATE SKIP LOCKED`,
      [query.now.toISOString(), [...REDRIVEN_STATUSES], query.redriveAfterMs, JSON.stringify(query.stalledAfterMs), [...query.excluding], query.limit],
    );
    return rows.map(toProjection);
  }

  async recordDriven(taskId: string, version: number, bookkeeping: DriveBookkeeping): Promise<void> {
    const { affected } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET driven_version = $3, driven_at = $4::timestamptz, alerted_version = $5
       WHERE task_id = $1 AND version = $2`,
      [taskId, version, bookkeeping.drivenVersion, bookkeeping.drivenAt.toISOString(), bookkeeping.alertedVersion],
    );
    if (affected === 0) throw new ConcurrencyConflictError('task projection', taskId, version);
  }
}
