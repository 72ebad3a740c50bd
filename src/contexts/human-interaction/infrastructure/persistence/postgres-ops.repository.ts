import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { PostgresMessageTrail } from '../../../../shared/persistence/message-trail';
import { readOutboxBacklog } from '../../../../shared/persistence/outbox/outbox-metrics';
import { execute } from '../../../../shared/persistence/sql';
import { listWorkers } from '../../../../shared/workers/worker-registry';
import { TASK_STATUSES } from '../../../task-management/contracts';
import {
  type AgentPoolView,
  type AgentPoolViewRepository,
  type NewOperatorAction,
  type OperatorAction,
  OPERATOR_OUTCOMES,
  type OpsRepository,
  type OpsRepositoryFactory,
  type TaskDelivery,
  type TaskSearch,
} from '../../application/ops/ops.repository';
import type { TaskView } from '../../domain/task-view';
import { toDeliveryRecord } from './postgres-delivery.repository';
import { TASK_VIEW_COLUMNS, toTaskView } from './task-view.rows';

const ACTIONS = 'human_interaction.operator_actions';

const actionRow = z.object({
  id: z.coerce.string(),
  at: z.coerce.date(),
  actor_id: z.string(),
  action: z.string(),
  target: z.string(),
  task_id: z.string().nullable(),
  outcome: z.enum(OPERATOR_OUTCOMES),
  detail: z.string(),
});

function toAction(row: unknown): OperatorAction {
  const r = actionRow.parse(row);
  return { id: r.id, at: r.at, actorId: r.actor_id, action: r.action, target: r.target, taskId: r.task_id, outcome: r.outcome, detail: r.detail };
}

/** `%`, `_` and `\` are text in a search, not LIKE patterns. */
const likeText = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class PostgresOpsRepository implements OpsRepository {
  constructor(private readonly manager: EntityManager) {}

  async recordAction(action: NewOperatorAction, at: Date): Promise<OperatorAction> {
    const { rows } = await execute(
      this.manager,
      `INSERT INTO ${ACTIONS} (at, actor_id, action, target, task_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [at, action.actorId, action.action, action.target, action.taskId, action.outcome, action.detail],
    );
    return toAction(rows[0]);
  }

  async listActions(filter: { readonly taskId?: string; readonly limit: number }): Promise<OperatorAction[]> {
    const { rows } =
      filter.taskId === undefined
        ? await execute(this.manager, `SELECT * FROM ${ACTIONS} ORDER BY id DESC LIMIT $1`, [filter.limit])
        : await execute(this.manager, `SELECT * FROM ${ACTIONS} WHERE task_id = $1 ORDER BY id DESC LIMIT $2`, [filter.taskId, filter.limit]);
    return rows.map(toAction);
  }

  async tasksByStatus(): Promise<Array<{ status: (typeof TASK_STATUSES)[number]; count: number }>> {
    const { rows } = await execute(this.manager, `SELECT status, count(*) AS count FROM human_interaction.task_views GROUP BY status`);
    const counts = new Map(
      rows.map((r) => z.object({ status: z.enum(TASK_STATUSES), count: z.coerce.number().int() }).parse(r)).map((r) => [r.status, r.count]),
    );
    return TASK_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 }));
  }

  async searchTasks(search: TaskSearch, limit: number): Promise<TaskView[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT ${TASK_VIEW_COLUMNS} FROM human_interaction.task_views
        WHERE task_id = $1 OR requester_id = $1 OR approver_id = $1 OR task_id = ANY($2::text[])
           OR snapshot->'history' @> jsonb_build_array(jsonb_build_object('correlationId', $1::text))
           OR title ILIKE $3 ESCAPE '\\'
        ORDER BY updated_at DESC LIMIT $4`,
      [search.text, [...search.taskIds], likeText(search.text), limit],
    );
    return rows.map(toTaskView);
  }

  async deliveriesOfTask(taskId: string): Promise<TaskDelivery[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT d.*, n.kind, n.subject FROM human_interaction.deliveries d JOIN human_interaction.notifications n ON n.id = d.notification_id
        WHERE n.task_id = $1 ORDER BY d.created_at, d.channel`,
      [taskId],
    );
    return rows.map((row) => ({ ...toDeliveryRecord(row), ...z.object({ kind: z.string(), subject: z.string() }).parse(row) }));
  }

  async failedDeliveries(): Promise<number> {
    const { rows } = await execute(this.manager, `SELECT count(*) AS count FROM human_interaction.deliveries WHERE status = 'failed'`);
    return z.object({ count: z.coerce.number().int() }).parse(rows[0]).count;
  }
}

const poolRow = z.object({
  pool: z.string(),
  paused: z.boolean(),
  changed_by: z.string(),
  reason: z.string().nullable(),
  changed_at: z.coerce.date(),
});

export class PostgresAgentPoolViewRepository implements AgentPoolViewRepository {
  constructor(private readonly manager: EntityManager) {}

  async find(pool: string): Promise<AgentPoolView | undefined> {
    const { rows } = await execute(this.manager, `SELECT * FROM human_interaction.agent_pool_view WHERE pool = $1`, [pool]);
    if (rows.length === 0) return undefined;
    const r = poolRow.parse(rows[0]);
    return { pool: r.pool, paused: r.paused, by: r.changed_by, reason: r.reason, changedAt: r.changed_at };
  }

  async applyIfNewer(view: AgentPoolView): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `INSERT INTO human_interaction.agent_pool_view AS v (pool, paused, changed_by, reason, changed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (pool) DO UPDATE SET paused = EXCLUDED.paused, changed_by = EXCLUDED.changed_by, reason = EXCLUDED.reason, changed_at = EXCLUDED.changed_at
       WHERE v.changed_at <= EXCLUDED.changed_at RETURNING pool`,
      [view.pool, view.paused, view.by, view.reason, view.changedAt],
    );
    return rows.length === 1;
  }
}

export const postgresOpsRepositories: OpsRepositoryFactory = ({ manager }) => ({
  ops: new PostgresOpsRepository(manager),
  agentPool: new PostgresAgentPoolViewRepository(manager),
  messages: new PostgresMessageTrail(manager),
  outbox: { backlog: () => readOutboxBacklog(manager.dataSource) },
  workers: { list: () => listWorkers(manager.dataSource) },
});
