import { randomUUID } from 'node:crypto';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { MessagingRetention } from '../../../../src/shared/persistence/retention/messaging-retention';
import { execute } from '../../../../src/shared/persistence/sql';
import { silentLogger } from '../../../../src/shared/logging/logger';
import { openTestDatabase } from '../../../support/database';

const DAY = 24 * 3_600_000;
const now = new Date('2026-11-24T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

describe('MessagingRetention', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase();
  });

  afterAll(async () => {
    await db.close();
  });

  async function outboxRow(label: string, row: { createdDaysAgo: number; sentDaysAgo: number | null; abandoned?: boolean }): Promise<void> {
    await execute(
      db.dataSource.manager,
      `INSERT INTO messaging.outbox (message_id, kind, type, message_key, envelope, created_at, sent_at, abandoned) VALUES ($1, 'event', $2, 'k', '{}'::jsonb, $3, $4, $5)`,
      [randomUUID(), label, daysAgo(row.createdDaysAgo), row.sentDaysAgo === null ? null : daysAgo(row.sentDaysAgo), row.abandoned ?? false],
    );
  }

  async function inboxRow(consumer: string, handledDaysAgo: number): Promise<void> {
    await execute(db.dataSource.manager, `INSERT INTO messaging.inbox (consumer, message_id, handled_at) VALUES ($1, $2, $3)`, [
      consumer,
      randomUUID(),
      daysAgo(handledDaysAgo),
    ]);
  }

  async function idempotencyKey(key: string, expiresHoursFromNow: number): Promise<void> {
    await execute(
      db.dataSource.manager,
      `INSERT INTO messaging.idempotency_keys (user_id, route, idempotency_key, request_hash, response_status, response_body, created_at, expires_at)
       VALUES ('alice', 'POST /api/tasks', $1, 'h', 202, '{}', $2, $3)`,
      [key, daysAgo(1), new Date(now.getTime() + expiresHoursFromNow * 3_600_000)],
    );
  }

  async function remainingKeys(): Promise<string[]> {
    const keys = await execute(db.dataSource.manager, `SELECT idempotency_key FROM messaging.idempotency_keys ORDER BY idempotency_key`);
    return keys.rows.map((r) => (r as { idempotency_key: string }).idempotency_key);
  }

  async function remaining(): Promise<{ outbox: string[]; inbox: string[] }> {
    const outbox = await execute(db.dataSource.manager, `SELECT type FROM messaging.outbox ORDER BY type`);
    const inbox = await execute(db.dataSource.manager, `SELECT consumer FROM messaging.inbox ORDER BY consumer`);
    return { outbox: outbox.rows.map((r) => (r as { type: string }).type), inbox: inbox.rows.map((r) => (r as { consumer: string }).consumer) };
  }

  it('deletes sent outbox rows and inbox records past retention and expired idempotency keys, in batches, and keeps unsent and abandoned rows whatever their age', async () => {
    for (let i = 0; i < 7; i++) await outboxRow('old-sent', { createdDaysAgo: 9, sentDaysAgo: 8 });
    await outboxRow('recent-sent', { createdDaysAgo: 2, sentDaysAgo: 1 });
    await outboxRow('old-unsent', { createdDaysAgo: 30, sentDaysAgo: null });
    // The relay sets a row aside by stamping sent_at as well as abandoned.
    await outboxRow('old-abandoned', { createdDaysAgo: 30, sentDaysAgo: 29, abandoned: true });
    for (let i = 0; i < 5; i++) await inboxRow('old-consumer', 10);
    await inboxRow('recent-consumer', 3);
    for (const key of ['expired-1', 'expired-2', 'expired-3', 'expired-4']) await idempotencyKey(key, -1);
    await idempotencyKey('still-valid', 1);

    const retention = new MessagingRetention(db.dataSource, { now: () => now }, silentLogger(), { keepForMs: 7 * DAY, intervalMs: 3_600_000, batchSize: 3 });
    expect(await retention.purgeOnce()).toEqual({ outbox: 7, inbox: 5, idempotencyKeys: 4 });
    expect(await remaining()).toEqual({ outbox: ['old-abandoned', 'old-unsent', 'recent-sent'], inbox: ['recent-consumer'] });
    expect(await remainingKeys()).toEqual(['still-valid']);
    // Nothing left to do: a second sweep deletes nothing.
    expect(await retention.purgeOnce()).toEqual({ outbox: 0, inbox: 0, idempotencyKeys: 0 });
  });

  it('keeps everything when retention is 0, and stops cleanly without having started', async () => {
    await outboxRow('ancient-sent', { createdDaysAgo: 400, sentDaysAgo: 399 });
    const retention = new MessagingRetention(db.dataSource, { now: () => now }, silentLogger(), { keepForMs: 0, intervalMs: 3_600_000, batchSize: 10 });
    expect(await retention.purgeOnce()).toEqual({ outbox: 0, inbox: 0, idempotencyKeys: 0 });
    retention.loop.start();
    await retention.loop.stop();
    expect((await remaining()).outbox).toContain('ancient-sent');
  });
});
