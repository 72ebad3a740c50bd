/**
 * A consumer process for consumer-killed.int.test.ts, run by `node -r ./swc-register.js` (no build).
 * It consumes RecordEffect commands with the real RabbitMqMessageQueue and writes each effect
 * through the real UnitOfWork.handleOnce; then it records the delivery (redelivered or not, and
 * whether the inbox dropped it as a duplicate) for the test to count. It handles slowly on
 * purpose, so that a SIGKILL finds deliveries in flight, unacknowledged.
 */
import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { systemClock } from '../../../src/shared/kernel/clock';
import { RabbitMqMessageQueue } from '../../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { openDatabase } from '../../../src/shared/persistence/data-source';
import { execute } from '../../../src/shared/persistence/sql';
import { UnitOfWork } from '../../../src/shared/persistence/unit-of-work';
import { faultRegistry, RecordEffect } from './fault-contracts';

const env = z
  .object({
    FAULT_RABBITMQ_URL: z.string().min(1),
    FAULT_DATABASE_URL: z.string().min(1),
    FAULT_PREFIX: z.string().min(1),
    FAULT_CONSUMER: z.string().min(1),
    FAULT_HANDLE_MS: z.coerce.number().int().nonnegative(),
    FAULT_PREFETCH: z.coerce.number().int().positive(),
  })
  .parse(process.env);

async function main(): Promise<void> {
  const database = await openDatabase({ url: env.FAULT_DATABASE_URL, entities: [], poolSize: 10 });
  const registry = faultRegistry();
  const unitOfWork = new UnitOfWork(database.dataSource, registry, systemClock);
  const queue = new RabbitMqMessageQueue({
    url: env.FAULT_RABBITMQ_URL,
    registry,
    exchangePrefix: env.FAULT_PREFIX,
    prefetch: env.FAULT_PREFETCH,
    queueType: 'quorum',
    connectionName: `fault-test-consumer-${process.pid}`,
  });
  const consumer = env.FAULT_CONSUMER;
  await queue.subscribeToCommands({
    consumer,
    types: [RecordEffect.type],
    handler: async (message, delivery) => {
      await sleep(env.FAULT_HANDLE_MS);
      const { i } = RecordEffect.schema.parse(message.payload);
      const first = await unitOfWork.handleOnce(consumer, message, async (tx) => {
        await execute(tx.manager, `INSERT INTO fault_test.effects (message_id, i, pid) VALUES ($1, $2, $3)`, [message.messageId, i, process.pid]);
      });
      // Outside the effect's transaction: a kill between the two loses only this statistic.
      await execute(
        database.dataSource.manager,
        `INSERT INTO fault_test.deliveries (message_id, pid, attempt, redelivered, first) VALUES ($1, $2, $3, $4, $5)`,
        [message.messageId, process.pid, delivery?.attempt ?? 0, delivery?.redelivered ?? false, first],
      );
    },
  });
  process.on('SIGTERM', () => {
    void (async () => {
      await queue.close();
      await database.close();
      process.exit(0);
    })();
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`effect consumer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
