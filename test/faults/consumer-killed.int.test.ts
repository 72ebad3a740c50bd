import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { message } from '../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../src/shared/messaging/envelope';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import type { Database } from '../../src/shared/persistence/data-source';
import { execute } from '../../src/shared/persistence/sql';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { BrokerAdmin, consumerQueueNames, RABBITMQ_URL, readyMessages } from './support/broker';
import { ConsumerProcess } from './support/child-consumer';
import { faultRegistry, RecordEffect } from './support/fault-contracts';
import { reportFigures } from './support/figures';
import { WarningWatch } from './support/warnings';

const SENT = 500;
const KILL_AFTER = 50;
const CONSUMER = 'fault-test.effects';
const prefix = `refinery-fault-${randomBytes(4).toString('hex')}`;
const count = z.object({ n: z.coerce.number() });

/**
 * A consumer process dies by SIGKILL with deliveries in flight. The broker gives the unacked ones
 * to the next consumer; the inbox in the effect's transaction turns a redelivery of a message
 * whose effect had committed (but whose ack never left) into a no-op. So: every effect exactly once.
 */
describe('a consumer process killed mid-stream', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  let publisher: RabbitMqMessageQueue;
  const children: ConsumerProcess[] = [];
  let warnings: WarningWatch;

  const scalar = async (sql: string, params: unknown[] = []): Promise<number> =>
    count.parse((await execute(database.dataSource.manager, sql, params)).rows[0]).n;
  const spawnConsumer = (): ConsumerProcess => {
    const child = ConsumerProcess.spawn({ rabbitmqUrl: RABBITMQ_URL, databaseUrl: scratch.url, prefix, consumer: CONSUMER, handleMs: 5, prefetch: 50 });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    warnings = WarningWatch.start();
    scratch = await createScratchDatabase();
    database = await openTestDatabase([], scratch.url);
    // No unique constraint on message_id: only the inbox may keep an effect from happening twice.
    await execute(database.dataSource.manager, `CREATE SCHEMA fault_test`);
    await execute(
      database.dataSource.manager,
      `CREATE TABLE fault_test.effects (id bigserial PRIMARY KEY, message_id uuid NOT NULL, i integer NOT NULL, pid integer NOT NULL)`,
    );
    await execute(
      database.dataSource.manager,
      `CREATE TABLE fault_test.deliveries (id bigserial PRIMARY KEY, message_id uuid NOT NULL, pid integer NOT NULL, attempt integer NOT NULL, redelivered boolean NOT NULL, first boolean NOT NULL)`,
    );
    publisher = new RabbitMqMessageQueue({ url: RABBITMQ_URL, registry: faultRegistry(), exchangePrefix: prefix, publishTimeoutMs: 5_000 });
  });

  afterAll(async () => {
    warnings.stop();
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    const declared = publisher.declaredTopology();
    await publisher.close();
    const admin = await BrokerAdmin.open();
    await admin.deleteTopology({ queues: [...consumerQueueNames(prefix, CONSUMER), ...declared.queues], exchanges: declared.exchanges });
    await admin.close();
    await database.close();
    await scratch.drop();
  });

  it('gives the unacknowledged messages to the next consumer, and every effect happens exactly once', async () => {
    const first = spawnConsumer();
    await first.ready;
    // Commands are published mandatory: the consumer's queue must be bound first, hence the wait.
    await Promise.all(Array.from({ length: SENT }, (_, i) => publisher.publishCommand(createEnvelope(message(RecordEffect, `key-${i % 25}`, { i })))));

    await eventually(async () => expect(await scalar(`SELECT count(*) AS n FROM fault_test.effects`)).toBeGreaterThan(KILL_AFTER), {
      timeoutMs: 30_000,
      intervalMs: 5,
    });
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    const effectsAtKill = await scalar(`SELECT count(*) AS n FROM fault_test.effects`);
    // Were everything done already, the kill would have proved nothing.
    expect(effectsAtKill).toBeLessThan(SENT);

    const second = spawnConsumer();
    await second.ready;
    await eventually(async () => expect(await scalar(`SELECT count(DISTINCT message_id) AS n FROM fault_test.effects`)).toBe(SENT), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    // Its last deliveries recorded (each just before its ack), so a graceful stop cuts none short.
    await eventually(
      async () =>
        expect(await scalar(`SELECT count(*) AS n FROM fault_test.deliveries WHERE pid = $1`, [second.pid])).toBeGreaterThanOrEqual(SENT - effectsAtKill),
      {
        timeoutMs: 10_000,
      },
    );
    expect(await second.stop('SIGTERM')).toBe(0);

    const effects = await scalar(`SELECT count(*) AS n FROM fault_test.effects`);
    const distinct = await scalar(`SELECT count(DISTINCT message_id) AS n FROM fault_test.effects`);
    const distinctIndexes = await scalar(`SELECT count(DISTINCT i) AS n FROM fault_test.effects`);
    const redelivered = await scalar(`SELECT count(*) AS n FROM fault_test.deliveries WHERE redelivered`);
    const droppedByInbox = await scalar(`SELECT count(*) AS n FROM fault_test.deliveries WHERE NOT first`);
    const deadLetters = await publisher.listDeadLetters(CONSUMER);
    const [work] = consumerQueueNames(prefix, CONSUMER);
    const leftOnQueue = await readyMessages(work ?? '');
    reportFigures('consumer-killed', {
      sent: SENT,
      handled: distinct,
      redelivered,
      deadLettered: deadLetters.length,
      lost: SENT - distinct,
      duplicatedEffects: effects - distinct,
      extra: { 'effects-at-kill': effectsAtKill, 'redelivered-dropped-by-inbox': droppedByInbox, 'left-on-queue': leftOnQueue ?? -1 },
    });

    expect(effects).toBe(SENT);
    expect(distinct).toBe(SENT);
    expect(distinctIndexes).toBe(SENT);
    expect(redelivered).toBeGreaterThanOrEqual(1);
    expect(deadLetters).toEqual([]);
    expect(leftOnQueue).toBe(0);
    expect(warnings.maxListenerWarnings(...children.map((child) => child.errors))).toEqual([]);
  }, 120_000);
});
