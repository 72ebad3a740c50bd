import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web inbox sign-outs: a session's id, kept until the session would have expired, so that a copy
 * of the signed-out cookie is refused by every process (sessions themselves are sealed cookies,
 * not stored).
 */
export class HumanInteractionRevokedSessions1732400002200 implements MigrationInterface {
  name = 'HumanInteractionRevokedSessions1732400002200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE human_interaction.revoked_sessions (
        session_id text PRIMARY KEY,
        user_id text NOT NULL,
        revoked_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
    );
    await q.query(`CREATE INDEX revoked_sessions_expires_at ON human_interaction.revoked_sessions (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE human_interaction.revoked_sessions`);
  }
}
