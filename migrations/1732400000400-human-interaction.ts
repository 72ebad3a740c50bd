import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The human-interaction context's own schema: read models of tasks and PRDs (fed by events, so
 * eventually consistent), the in-app notification inbox, and the commands people caused.
 */
export class HumanInteraction1732400000400 implements MigrationInterface {
  name = 'HumanInteraction1732400000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS human_interaction`);
    // version 0 = submitted here, not yet confirmed by task management (snapshot is then null).
    await q.query(`CREATE TABLE human_interaction.task_views (
      task_id text PRIMARY KEY,
      requester_id text NOT NULL,
      approver_id text NOT NULL,
      title text NOT NULL,
      description text NOT NULL,
      priority text NOT NULL,
      status text NOT NULL,
      version integer NOT NULL CHECK (version >= 0),
      snapshot jsonb,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX task_views_requester ON human_interaction.task_views (requester_id, updated_at DESC)`);
    await q.query(`CREATE INDEX task_views_approver ON human_interaction.task_views (approver_id, updated_at DESC)`);
    await q.query(`CREATE TABLE human_interaction.prd_views (
      task_id text NOT NULL,
      prd_version integer NOT NULL CHECK (prd_version > 0),
      document jsonb NOT NULL,
      drafted_at timestamptz NOT NULL,
      PRIMARY KEY (task_id, prd_version)
    )`);
    await q.query(`CREATE TABLE human_interaction.notifications (
      id text PRIMARY KEY,
      recipient_id text NOT NULL,
      task_id text NOT NULL,
      task_version integer NOT NULL,
      kind text NOT NULL,
      subject text NOT NULL,
      questions jsonb,
      prd_version integer,
      created_at timestamptz NOT NULL,
      read_at timestamptz
    )`);
    await q.query(`CREATE INDEX notifications_recipient ON human_interaction.notifications (recipient_id, created_at DESC)`);
    // One row per person-caused command and task version: the PK is what makes a second
    // identical action a conflict instead of a second command.
    await q.query(`CREATE TABLE human_interaction.human_actions (
      task_id text NOT NULL,
      task_version integer NOT NULL CHECK (task_version >= 0),
      action text NOT NULL,
      envelope jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      last_sent_at timestamptz NOT NULL,
      PRIMARY KEY (task_id, task_version, action)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA human_interaction CASCADE`);
  }
}
