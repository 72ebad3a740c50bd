import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issued API tokens may carry an expiry: from `expires_at` on the token is refused as an unknown
 * one is. NULL (every token issued before, and any issued without one) never expires.
 */
export class HumanInteractionApiTokenExpiry1732400002400 implements MigrationInterface {
  name = 'HumanInteractionApiTokenExpiry1732400002400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE human_interaction.api_tokens ADD COLUMN expires_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE human_interaction.api_tokens DROP COLUMN expires_at`);
  }
}
