import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the retention sweep find old sent outbox rows and old inbox rows without a full scan. */
export class MessagingRetention1732400000600 implements MigrationInterface {
  name = 'MessagingRetention1732400000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX outbox_sent_at ON messaging.outbox (sent_at) WHERE sent_at IS NOT NULL`);
    await q.query(`CREATE INDEX inbox_handled_at ON messaging.inbox (handled_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messaging.inbox_handled_at`);
    await q.query(`DROP INDEX messaging.outbox_sent_at`);
  }
}
