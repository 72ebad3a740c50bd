import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { AGENT_POOL } from '../../contracts';
import { traceCarrierFrom, traceCarrierOf } from '../../../../shared/tracing/trace-context';
import {
  type Lease,
  type NewWorkItem,
  priorityRank,
  type StoredOutcome,
  type WorkItem,
  WORK_ITEM_STATUSES,
  type WorkItemRepository,
} from '../../domain/work-item';

const outcomeSchema = z.object({
  type: z.string(),
  kind: z.literal('command'),
  key: z.string(),
  payload: z.record(z.string(), z.unknown()),
  messageId: z.uuid(),
});

const workItemRow = z.object({
  id: z.string(),
  task_id: z.string(),
  task_version: z.number().int(),
  priority_rank: z.number().int(),
  created_at: z.coerce.date(),
  status: z.enum(WORK_ITEM_STATUSES),
  lease_owner: z.string().nullable(),
  lease_expires_at: z.coerce.date().nullable(),
  attempts: z.number().int(),
  outcome: outcomeSchema.nullable(),
  version: z.number().int(),
  traceparent: z.string().nullish(),
  tracestate: z.string().nullish(),
});

function toWorkItem(raw: unknown): WorkItem {
  const row = workItemRow.parse(raw);
  return {
    id: row.id,
    taskId: row.task_id,
    taskVersion: row.task_version,
    priorityRank: row.priority_rank,
    createdAt: row.created_at,
    status: row.status,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    attempts: row.attempts,
    outcome: row.outcome,
    version: row.version,
    trace: traceCarrierFrom(row.traceparent, row.tracestate),
  };
}

const UNFINISHED = `status IN ('pending', 'leased')`;
/** The lease still holds: same owner, and nobody changed the item since the claim. */
const HELD = `id = $1 AND version = $2 AND lease_owner = $3 AND status = 'leased'`;

export class PostgresWorkItemRepository implements WorkItemRepository {
  constructor(private readonly manager: EntityManager) {}

  async ensure(item: NewWorkItem): Promise<boolean> {
    const trace = traceCarrierOf();
    const { rows } = await execute(
      this.manager,
      `INSERT INTO product_definition.work_items (id, task_id, task_version, priority_rank, created_at, status, attempts, version, traceparent, tracestate)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0, 1, $6, $7)
       ON CONFLICT (task_id, task_version) DO NOTHING RETURNING id`,
      // The trace of the delivery that asked for the work, continued by the agent's call.
      [randomUUID(), item.taskId, item.taskVersion, priorityRank(item.priority), item.createdAt, trace?.traceparent ?? null, trace?.tracestate ?? null],
    );
    return rows.length === 1;
  }

  async find(taskId: string, taskVersion: number): Promise<WorkItem | undefined> {
    const { rows } = await execute(this.manager, `SELECT * FROM product_definition.work_items WHERE task_id = $1 AND task_version = $2`, [taskId, taskVersion]);
    return rows.length === 0 ? undefined : toWorkItem(rows[0]);
  }

  async supersedeOlder(taskId: string, taskVersion: number): Promise<number> {
    return this.end(`task_id = $1 AND task_version < $2`, [taskId, taskVersion], 'superseded');
  }

  async cancelUnfinished(taskId: string): Promise<number> {
    return this.end(`task_id = $1`, [taskId], 'cancelled');
  }

  async claimNext(owner: string, now: Date, leaseMs: number): Promise<WorkItem | undefined> {
    // SKIP LOCKED: concurrent pollers each get a different item instead of queueing on one row.
    const { rows } = await execute(
      this.manager,
      `SELECT id FROM product_definition.work_items
       WHERE (status = 'pending' OR (status = 'leased' AND lease_expires_at < $1))
         AND NOT EXISTS (SELECT 1 FROM product_definition.agent_pool WHERE pool = $2 AND paused)
       ORDER BY priority_rank DESC, created_at ASC LIMIT 1
       FOR UPDATE SKIP LOCKED`,
      // An operator's pause holds in every process: the claim itself reads the switch.
      [now, AGENT_POOL],
    );
    const id = z.object({ id: z.string() }).optional().parse(rows[0])?.id;
    if (!id) return undefined;
    const claimed = await execute(
      this.manager,
      `UPDATE product_definition.work_items
       SET status = 'leased', lease_owner = $2, lease_expires_at = $3, attempts = attempts + 1, version = version + 1
       WHERE id = $1 RETURNING *`,
      [id, owner, new Date(now.getTime() + leaseMs)],
    );
    return toWorkItem(claimed.rows[0]);
  }

  async complete(lease: Lease, outcome: StoredOutcome): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `UPDATE product_definition.work_items
       SET status = 'done', outcome = $4::jsonb, lease_expires_at = NULL, version = version + 1
       WHERE ${HELD} RETURNING id`,
      [lease.itemId, lease.version, lease.owner, JSON.stringify(outcome)],
    );
    return rows.length === 1;
  }

  async release(lease: Lease): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `UPDATE product_definition.work_items
       SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, version = version + 1
       WHERE ${HELD} RETURNING id`,
      [lease.itemId, lease.version, lease.owner],
    );
    return rows.length === 1;
  }

  async releaseLeasesOf(instanceId: string): Promise<number> {
    // starts_with, not LIKE: a host name may hold LIKE's wildcards.
    const { rows } = await execute(
      this.manager,
      `UPDATE product_definition.work_items
       SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, version = version + 1
       WHERE status = 'leased' AND starts_with(lease_owner, $1 || '/') RETURNING id`,
      [instanceId],
    );
    return rows.length;
  }

  private async end(where: string, params: readonly unknown[], status: 'superseded' | 'cancelled'): Promise<number> {
    const { rows } = await execute(
      this.manager,
      `UPDATE product_definition.work_items
       SET status = $${params.length + 1}, lease_owner = NULL, lease_expires_at = NULL, version = version + 1
       WHERE ${where} AND ${UNFINISHED} RETURNING id`,
      [...params, status],
    );
    return rows.length;
  }
}
