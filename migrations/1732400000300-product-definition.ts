import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The product-definition context's own schema: request copies, the agent pool's work items, PRDs. */
export class ProductDefinition1732400000300 implements MigrationInterface {
  name = 'ProductDefinition1732400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS product_definition`);
    // A copy of each task kept from task snapshots; task_version only grows (newer snapshot wins).
    await q.query(`CREATE TABLE product_definition.requests (
      task_id text PRIMARY KEY,
      title text NOT NULL,
      description text NOT NULL,
      requester_id text NOT NULL,
      priority text NOT NULL,
      task_version integer NOT NULL,
      task_status text NOT NULL,
      clarification_rounds integer NOT NULL DEFAULT 0,
      clarification_log jsonb NOT NULL DEFAULT '[]'::jsonb,
      feedback jsonb NOT NULL DEFAULT '[]'::jsonb,
      updated_at timestamptz NOT NULL
    )`);
    // One item per task version that needs the agent: the unique key makes "ensure an item" idempotent.
    await q.query(`CREATE TABLE product_definition.work_items (
      id uuid PRIMARY KEY,
      task_id text NOT NULL,
      task_version integer NOT NULL,
      priority_rank integer NOT NULL,
      created_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'leased', 'done', 'superseded', 'cancelled')),
      lease_owner text,
      lease_expires_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      outcome jsonb,
      version integer NOT NULL DEFAULT 1,
      UNIQUE (task_id, task_version)
    )`);
    // Serves the claim query: the best claimable item first.
    await q.query(`CREATE INDEX work_items_claimable ON product_definition.work_items (priority_rank DESC, created_at ASC)
      WHERE status IN ('pending', 'leased')`);
    // Insert-only versions: the primary key rejects a second writer of the same version.
    await q.query(`CREATE TABLE product_definition.prds (
      task_id text NOT NULL,
      version integer NOT NULL,
      document jsonb NOT NULL,
      based_on_task_version integer NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (task_id, version)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA product_definition CASCADE`);
  }
}
