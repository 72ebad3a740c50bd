import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { type AgentPoolRepository, type AgentPoolSwitch, runningPool } from '../../domain/agent-pool';

const TABLE = 'product_definition.agent_pool';

const row = z.object({
  pool: z.string(),
  paused: z.boolean(),
  changed_by: z.string().nullable(),
  reason: z.string().nullable(),
  changed_at: z.coerce.date().nullable(),
  requested_at: z.coerce.date().nullable(),
});

function toSwitch(raw: unknown): AgentPoolSwitch {
  const r = row.parse(raw);
  return { pool: r.pool, paused: r.paused, by: r.changed_by, reason: r.reason, changedAt: r.changed_at, requestedAt: r.requested_at };
}

export class PostgresAgentPoolRepository implements AgentPoolRepository {
  constructor(private readonly manager: EntityManager) {}

  async find(pool: string): Promise<AgentPoolSwitch> {
    const { rows } = await execute(this.manager, `SELECT * FROM ${TABLE} WHERE pool = $1`, [pool]);
    return rows.length === 0 ? runningPool(pool) : toSwitch(rows[0]);
  }

  async lock(pool: string): Promise<AgentPoolSwitch> {
    await execute(this.manager, `INSERT INTO ${TABLE} (pool, paused) VALUES ($1, false) ON CONFLICT (pool) DO NOTHING`, [pool]);
    const { rows } = await execute(this.manager, `SELECT * FROM ${TABLE} WHERE pool = $1 FOR UPDATE`, [pool]);
    return toSwitch(rows[0]);
  }

  async save(state: AgentPoolSwitch): Promise<void> {
    await execute(this.manager, `UPDATE ${TABLE} SET paused = $2, changed_by = $3, reason = $4, changed_at = $5, requested_at = $6 WHERE pool = $1`, [
      state.pool,
      state.paused,
      state.by,
      state.reason,
      state.changedAt,
      state.requestedAt,
    ]);
  }
}
