import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `settled_version`: the version of a finished task human interaction confirmed it holds
 * everything for (the final state, the PRD the task ended with, the final notification). The
 * republish sweep re-announces a finished task only while this is not its version; the partial
 * index then finds the unsettled finished tasks without reading the settled ones.
 */
export class TaskManagementSettled1732400001900 implements MigrationInterface {
  name = 'TaskManagementSettled1732400001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_management.tasks ADD COLUMN settled_version integer`);
    await q.query(`DROP INDEX task_management.tasks_finished_by_updated`);
    await q.query(
      `CREATE INDEX tasks_finished_by_updated ON task_management.tasks (updated_at)
       WHERE status IN ('APPROVED', 'CANCELLED', 'FAILED') AND settled_version IS DISTINCT FROM version`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX task_management.tasks_finished_by_updated`);
    await q.query(`CREATE INDEX tasks_finished_by_updated ON task_management.tasks (updated_at) WHERE status IN ('APPROVED', 'CANCELLED', 'FAILED')`);
    await q.query(`ALTER TABLE task_management.tasks DROP COLUMN settled_version`);
  }
}
