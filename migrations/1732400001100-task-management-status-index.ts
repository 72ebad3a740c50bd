import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Serves the metrics query `refinery_tasks{state}` and `refinery_task_oldest_in_state_seconds`
 * run at each scrape (count and oldest `updated_at` per status) as an index-only scan.
 */
export class TaskManagementStatusIndex1732400001100 implements MigrationInterface {
  name = 'TaskManagementStatusIndex1732400001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_status_updated ON task_management.tasks (status, updated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_management.tasks_status_updated`);
  }
}
