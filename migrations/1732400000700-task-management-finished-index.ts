import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The republish sweep re-announces tasks that finished recently; this index finds them without
 * reading every task ever finished (tasks_open_by_last_announced covers open tasks only).
 */
export class TaskManagementFinishedIndex1732400000700 implements MigrationInterface {
  name = 'TaskManagementFinishedIndex1732400000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_finished_by_updated ON task_management.tasks (updated_at) WHERE status IN ('APPROVED', 'CANCELLED', 'FAILED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_management.tasks_finished_by_updated`);
  }
}
