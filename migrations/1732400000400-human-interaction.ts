import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The human-interaction context's own schema. */
export class HumanInteraction1732400000400 implements MigrationInterface {
  name = 'HumanInteraction1732400000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS human_interaction`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA human_interaction CASCADE`);
  }
}
