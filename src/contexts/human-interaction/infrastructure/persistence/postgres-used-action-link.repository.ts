import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import type { UsedActionLinkRepository } from '../../application/act-on-link/used-action-link.repository';
import type { ActionLinkClaims } from '../../domain/action-link';

const TABLE = 'human_interaction.used_action_links';

const usedRow = z.object({ used_at: z.coerce.date() });

export class PostgresUsedActionLinkRepository implements UsedActionLinkRepository {
  constructor(private readonly manager: EntityManager) {}

  async findUse(linkId: string): Promise<Date | undefined> {
    const { rows } = await execute(this.manager, `SELECT used_at FROM ${TABLE} WHERE link_id = $1`, [linkId]);
    return rows.length === 0 ? undefined : usedRow.parse(rows[0]).used_at;
  }

  async recordUse(claims: ActionLinkClaims, at: Date): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `INSERT INTO ${TABLE} (link_id, user_id, task_id, action, used_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING link_id`,
      [claims.linkId, claims.userId, claims.taskId, claims.action, at],
    );
    return rows.length === 1;
  }
}
