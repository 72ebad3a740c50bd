import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operators' pause switch of the agent pool: product definition's `agent_pool` (one row per
 * pool, read by every claim), and human interaction's view of it (`agent_pool_view`, fed by
 * `agent-pool-changed`) that the /ops console shows.
 */
export class AgentPoolSwitch1732400001300 implements MigrationInterface {
  name = 'AgentPoolSwitch1732400001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE product_definition.agent_pool (
      pool text PRIMARY KEY,
      paused boolean NOT NULL,
      changed_by text,
      reason text,
      changed_at timestamptz,
      requested_at timestamptz
    )`);
    await q.query(`CREATE TABLE human_interaction.agent_pool_view (
      pool text PRIMARY KEY,
      paused boolean NOT NULL,
      changed_by text NOT NULL,
      reason text,
      changed_at timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE human_interaction.agent_pool_view`);
    await q.query(`DROP TABLE product_definition.agent_pool`);
  }
}
