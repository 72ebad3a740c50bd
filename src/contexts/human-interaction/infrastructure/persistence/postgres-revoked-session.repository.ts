import type { EntityManager } from 'typeorm';
import { execute } from '../../../../shared/persistence/sql';
import type { RevokedSessionRepository } from '../../application/web-sessions/revoked-session.repository';

const TABLE = 'human_interaction.revoked_sessions';

export class PostgresRevokedSessionRepository implements RevokedSessionRepository {
  constructor(private readonly manager: EntityManager) {}

  async revoke(sessionId: string, userId: string, until: Date, now: Date): Promise<void> {
    await execute(
      this.manager,
      `INSERT INTO ${TABLE} (session_id, user_id, revoked_at, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO NOTHING`,
      [sessionId, userId, now, until],
    );
    await execute(this.manager, `DELETE FROM ${TABLE} WHERE expires_at < $1`, [now]);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    const { rows } = await execute(this.manager, `SELECT 1 FROM ${TABLE} WHERE session_id = $1`, [sessionId]);
    return rows.length > 0;
  }
}
