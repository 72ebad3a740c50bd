import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox and inbox shared by every context: rows are generic messages, not a context's data. */
export class Messaging1732400000000 implements MigrationInterface {
  name = 'Messaging1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS messaging`);
    await q.query(`CREATE TABLE messaging.outbox (
      id bigserial PRIMARY KEY,
      message_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('event', 'command')),
      type text NOT NULL,
      message_key text NOT NULL,
      envelope jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      -- A row that can never be published (non-retryable failure): set aside with its reason.
      abandoned boolean NOT NULL DEFAULT false
    )`);
    await q.query(`CREATE INDEX outbox_unsent ON messaging.outbox (id) WHERE sent_at IS NULL`);
    await q.query(`CREATE TABLE messaging.inbox (
      consumer text NOT NULL,
      message_id uuid NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA messaging CASCADE`);
  }
}
