import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Human interaction reaches people outside the service: the channels each person chose, one
 * delivery row per notification and channel (with its attempts), the signed action links that
 * have been used (a link works once), and API tokens issued by an admin (only their sha256).
 */
export class HumanInteractionChannels1732400000500 implements MigrationInterface {
  name = 'HumanInteractionChannels1732400000500';

  async up(q: QueryRunner): Promise<void> {
    // The in-app inbox is always on; a null column means the person did not choose that channel.
    await q.query(`CREATE TABLE human_interaction.user_channels (
      user_id text PRIMARY KEY,
      email text,
      webhook_url text,
      updated_at timestamptz NOT NULL
    )`);
    // One row per notification and channel: a scanner asking again finds the row and adds none.
    await q.query(`CREATE TABLE human_interaction.deliveries (
      notification_id text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
      recipient_id text NOT NULL,
      target text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at timestamptz NOT NULL,
      last_error text,
      created_at timestamptz NOT NULL,
      sent_at timestamptz,
      PRIMARY KEY (notification_id, channel)
    )`);
    await q.query(`CREATE INDEX deliveries_due ON human_interaction.deliveries (next_attempt_at) WHERE status = 'pending'`);
    // A link's claims travel signed inside the link itself; only its use is recorded here.
    await q.query(`CREATE TABLE human_interaction.used_action_links (
      link_id text PRIMARY KEY,
      user_id text NOT NULL,
      task_id text NOT NULL,
      action text NOT NULL,
      used_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE human_interaction.api_tokens (
      id text PRIMARY KEY,
      user_id text NOT NULL,
      token_sha256 text NOT NULL UNIQUE,
      label text NOT NULL,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`);
    await q.query(`CREATE INDEX api_tokens_user ON human_interaction.api_tokens (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE human_interaction.api_tokens`);
    await q.query(`DROP TABLE human_interaction.used_action_links`);
    await q.query(`DROP TABLE human_interaction.deliveries`);
    await q.query(`DROP TABLE human_interaction.user_channels`);
  }
}
