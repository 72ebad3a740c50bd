import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts to the people configured for them: one row per alert episode (a task stalled in one
 * state entry, a task that failed; later kinds reuse the same row shape: `subject` is whatever
 * the alert is about), and which notification told whom about which episode. The episode's id is
 * derived from its kind, subject and episode, so an alert raised again finds its row and tells
 * nobody twice.
 */
export class HumanInteractionAlerts1732400001000 implements MigrationInterface {
  name = 'HumanInteractionAlerts1732400001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE human_interaction.alerts (
      id text PRIMARY KEY,
      kind text NOT NULL,
      subject text NOT NULL,
      task_id text,
      task_version integer,
      status text,
      facts jsonb NOT NULL,
      raised_at timestamptz NOT NULL,
      resolved_at timestamptz,
      resolution jsonb,
      redrive_requested_at timestamptz,
      redrive_requested_by text
    )`);
    // The open episodes of a subject: what a task event closes when the task moves on.
    await q.query(`CREATE INDEX alerts_open_by_subject ON human_interaction.alerts (subject, kind) WHERE resolved_at IS NULL`);
    await q.query(`CREATE TABLE human_interaction.alert_notifications (
      notification_id text PRIMARY KEY,
      alert_id text NOT NULL REFERENCES human_interaction.alerts (id),
      phase text NOT NULL CHECK (phase IN ('raised', 'resolved')),
      recipient_id text NOT NULL
    )`);
    await q.query(`CREATE INDEX alert_notifications_alert ON human_interaction.alert_notifications (alert_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE human_interaction.alert_notifications`);
    await q.query(`DROP TABLE human_interaction.alerts`);
  }
}
