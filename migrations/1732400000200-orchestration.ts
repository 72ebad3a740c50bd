import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The orchestration context's own schema: its projection of every task's status and timings. */
export class Orchestration1732400000200 implements MigrationInterface {
  name = 'Orchestration1732400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS orchestration`);
    await q.query(`CREATE TABLE orchestration.task_projection (
      task_id text PRIMARY KEY,
      status text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      requester_id text NOT NULL,
      approver_id text NOT NULL,
      prd_version integer,
      questions jsonb,
      status_since timestamptz NOT NULL,
      title text NOT NULL,
      driven_version integer NOT NULL DEFAULT 0,
      driven_at timestamptz,
      alerted_version integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL
    )`);
    // The sweep only ever looks at open tasks or at terminal ones not yet driven; terminal tasks
    // that were driven (the vast majority over time) stay out of the index.
    await q.query(`CREATE INDEX task_projection_sweep ON orchestration.task_projection (driven_at NULLS FIRST)
      WHERE status NOT IN ('APPROVED', 'CANCELLED', 'FAILED') OR driven_version < version`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA orchestration CASCADE`);
  }
}
