import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts about something other than a task ("no live worker runs a context"): their
 * notifications name no task, and one such episode is open per context at a time (several
 * human-interaction processes may notice the same gap at once; the index lets one of them raise it).
 */
export class HumanInteractionWorkerAlerts1732400001700 implements MigrationInterface {
  name = 'HumanInteractionWorkerAlerts1732400001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE human_interaction.notifications ALTER COLUMN task_id DROP NOT NULL, ALTER COLUMN task_version DROP NOT NULL`);
    await q.query(
      `CREATE UNIQUE INDEX alerts_one_open_per_context ON human_interaction.alerts (subject) WHERE kind = 'no-live-worker' AND resolved_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX human_interaction.alerts_one_open_per_context`);
    await q.query(`DELETE FROM human_interaction.notifications WHERE task_id IS NULL`);
    await q.query(`ALTER TABLE human_interaction.notifications ALTER COLUMN task_id SET NOT NULL, ALTER COLUMN task_version SET NOT NULL`);
  }
}
