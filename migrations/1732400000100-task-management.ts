import type { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES = `'NEW', 'REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'PRD_VALIDATION', 'APPROVED', 'CANCELLED', 'FAILED'`;

/** The task-management context's own schema: tasks and their transition history. */
export class TaskManagement1732400000100 implements MigrationInterface {
  name = 'TaskManagement1732400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS task_management`);
    await q.query(`CREATE TABLE task_management.tasks (
      id text PRIMARY KEY,
      title text NOT NULL,
      description text NOT NULL,
      requester_id text NOT NULL,
      approver_id text NOT NULL,
      priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
      status text NOT NULL CHECK (status IN (${STATUSES})),
      version integer NOT NULL CHECK (version > 0),
      assigned_pool text,
      prd_version integer CHECK (prd_version > 0),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      republished_at timestamptz
    )`);
    // The republish sweep looks for open tasks by their last announcement (GREATEST skips NULL).
    await q.query(`CREATE INDEX tasks_open_by_last_announced ON task_management.tasks (GREATEST(updated_at, republished_at))
      WHERE status NOT IN ('APPROVED', 'CANCELLED', 'FAILED')`);
    await q.query(`CREATE TABLE task_management.task_transitions (
      task_id text NOT NULL REFERENCES task_management.tasks (id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version > 0),
      from_status text CHECK (from_status IN (${STATUSES})),
      to_status text NOT NULL CHECK (to_status IN (${STATUSES})),
      at timestamptz NOT NULL,
      actor text NOT NULL,
      message_id text,
      correlation_id text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      PRIMARY KEY (task_id, version)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA task_management CASCADE`);
  }
}
