import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The orchestration context's own schema. */
export class Orchestration1732400000200 implements MigrationInterface {
  name = 'Orchestration1732400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS orchestration`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA orchestration CASCADE`);
  }
}
