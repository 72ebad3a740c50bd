import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log of the /ops console and the admin API: every operator action (who, what, on what,
 * when, and how it ended), never edited. Listed newest first, and per task on its trail.
 */
export class HumanInteractionOperatorActions1732400001200 implements MigrationInterface {
  name = 'HumanInteractionOperatorActions1732400001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE human_interaction.operator_actions (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id text NOT NULL,
      action text NOT NULL,
      target text NOT NULL,
      task_id text,
      outcome text NOT NULL CHECK (outcome IN ('ok', 'failed')),
      detail text NOT NULL
    )`);
    await q.query(`CREATE INDEX operator_actions_task ON human_interaction.operator_actions (task_id, id) WHERE task_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE human_interaction.operator_actions`);
  }
}
