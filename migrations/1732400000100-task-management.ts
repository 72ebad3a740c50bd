import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The task-management context's own schema. */
export class TaskManagement1732400000100 implements MigrationInterface {
  name = 'TaskManagement1732400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS task_management`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA task_management CASCADE`);
  }
}
