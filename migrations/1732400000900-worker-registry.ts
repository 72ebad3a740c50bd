import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worker registry (`src/shared/workers`): one row per running process, heartbeated on the
 * database clock. Deliveries get the lease owner work items already have, so the leases of an
 * instance that is gone can be released at once instead of when they expire.
 */
export class WorkerRegistry1732400000900 implements MigrationInterface {
  name = 'WorkerRegistry1732400000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS operations`);
    await q.query(`CREATE TABLE operations.workers (
      id text PRIMARY KEY,
      contexts text[] NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      version text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
      lease_ms integer NOT NULL CHECK (lease_ms > 0),
      status text NOT NULL CHECK (status IN ('live', 'draining', 'gone')),
      in_flight integer NOT NULL DEFAULT 0,
      handled bigint NOT NULL DEFAULT 0,
      gone_at timestamptz,
      released_contexts text[] NOT NULL DEFAULT '{}'
    )`);
    await q.query(`CREATE INDEX workers_status ON operations.workers (status)`);
    await q.query(`ALTER TABLE human_interaction.deliveries ADD COLUMN lease_owner text`);
    await q.query(`CREATE INDEX deliveries_lease_owner ON human_interaction.deliveries (lease_owner) WHERE lease_owner IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX human_interaction.deliveries_lease_owner`);
    await q.query(`ALTER TABLE human_interaction.deliveries DROP COLUMN lease_owner`);
    await q.query(`DROP SCHEMA operations CASCADE`);
  }
}
