import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { Application } from '../../src/app/container';
import { RetryableError } from '../../src/shared/kernel/errors';
import { systemClock } from '../../src/shared/kernel/clock';
import { silentLogger } from '../../src/shared/logging/logger';
import { ContractRegistry, defineContract, message } from '../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../src/shared/messaging/envelope';
import type { Unsubscribe } from '../../src/shared/messaging/message-queue';
import { MonitoredMessageQueue } from '../../src/shared/messaging/monitoring/monitored-message-queue';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { type Database, migrate, openDatabase } from '../../src/shared/persistence/data-source';
import { registerOutboxMetrics } from '../../src/shared/persistence/outbox/outbox-metrics';
import { UnitOfWork } from '../../src/shared/persistence/unit-of-work';
import { Api } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { eventually } from '../support/eventually';
import { metricValue, samplesOf, scrape } from '../support/metrics';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { notificationFor } from '../support/refinement-scenario';

const Job = defineContract('metrics-it.job.v1', 'command', z.object({ n: z.number().int() }));
const contracts = new ContractRegistry().register(Job);
const prefix = `refinery-test-${randomBytes(4).toString('hex')}`;

describe('metrics on RabbitMQ and PostgreSQL', () => {
  let scratch: ScratchDatabase;
  let admin: BrokerAdmin;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await admin.close();
    await scratch.drop();
  });

  it("counts the messages waiting in the broker behind a blocked handler, the one in flight, and the consumer's retries", async () => {
    const transport = new RabbitMqMessageQueue({
      url: RABBITMQ_URL,
      registry: contracts,
      exchangePrefix: prefix,
      queueType: 'classic',
      prefetch: 1,
      retryPolicy: { maxAttempts: 3, initialDelayMs: 60_000, maxDelayMs: 60_000, multiplier: 1, jitter: 0 },
    });
    const queue = new MonitoredMessageQueue(transport, { logger: silentLogger() });
    cleanups.push(async () => {
      await queue.close();
      await admin.deleteTopology(transport.declaredTopology());
    });
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const seen: number[] = [];
    const consumer = `metrics-it.worker-${randomBytes(3).toString('hex')}`;
    const unsubscribe: Unsubscribe = await queue.subscribeToCommands({
      consumer,
      types: [Job.type],
      handler: async (m) => {
        const { n } = Job.schema.parse(m.payload);
        seen.push(n);
        if (n === 0) throw new RetryableError('not yet');
        await opened;
      },
    });
    const metric = async (name: string) => metricValue(await queue.metricsText(), name, { consumer });

    expect(await metric('refinery_consumer_queue_depth')).toBe(0);
    await queue.publishCommand(createEnvelope(message(Job, 'task-0', { n: 0 })));
    // The failed delivery waits out its minute of backoff in the consumer's retry queue on the broker.
    await eventually(async () => expect(await metric('refinery_consumer_retry_queue_depth')).toBe(1), { timeoutMs: 10_000 });

    for (const n of [1, 2, 3, 4]) await queue.publishCommand(createEnvelope(message(Job, `task-${n}`, { n })));
    await eventually(() => expect(seen).toEqual([0, 1]), { timeoutMs: 10_000 });
    // One delivery at a time (prefetch 1): message 1 is in the handler, 2, 3 and 4 wait on the broker.
    await eventually(async () => expect(await metric('refinery_consumer_queue_depth')).toBe(3), { timeoutMs: 10_000 });
    expect(await metric('refinery_consumer_in_flight_messages')).toBe(1);
    expect(await metric('refinery_consumer_dead_letter_queue_depth')).toBe(0);
    // AMQP cannot tell the age of a message it has not delivered: no figure rather than a wrong one.
    expect(await metric('refinery_consumer_oldest_waiting_message_age_seconds')).toBeUndefined();
    expect(await metric('refinery_consumer_oldest_in_flight_message_age_seconds')).toBeGreaterThanOrEqual(0);

    open();
    await eventually(
      async () => {
        expect(await metric('refinery_consumer_queue_depth')).toBe(0);
        expect(await metric('refinery_consumer_in_flight_messages')).toBe(0);
      },
      { timeoutMs: 10_000 },
    );
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(metricValue(await queue.metricsText(), 'refinery_message_critical_time_seconds_count', { consumer, type: Job.type })).toBe(4);
    await unsubscribe();
  });

  it('reads the outbox backlog from the real table', async () => {
    const database: Database = await openDatabase({ url: scratch.url, entities: [] });
    cleanups.push(() => database.close());
    await migrate(database.dataSource, { serialise: true });
    const registry = new Registry();
    registerOutboxMetrics(registry, database.dataSource, silentLogger());
    const unitOfWork = new UnitOfWork(database.dataSource, contracts, systemClock);
    await database.dataSource.query(`UPDATE messaging.outbox SET sent_at = now() WHERE sent_at IS NULL`);

    expect(metricValue(await registry.metrics(), 'refinery_outbox_unsent_messages')).toBe(0);
    await unitOfWork.run(async (tx) => tx.outbox.add(message(Job, 'task-1', { n: 1 }), message(Job, 'task-2', { n: 2 })));
    await database.dataSource.query(`UPDATE messaging.outbox SET created_at = now() - interval '5 minutes' WHERE message_key = 'task-1'`);
    const text = await registry.metrics();
    expect(metricValue(text, 'refinery_outbox_unsent_messages')).toBe(2);
    expect(metricValue(text, 'refinery_outbox_oldest_unsent_age_seconds')).toBeGreaterThanOrEqual(300);
    expect(metricValue(text, 'refinery_outbox_oldest_unsent_age_seconds')).toBeLessThan(330);
    await database.dataSource.query(`UPDATE messaging.outbox SET sent_at = now() WHERE sent_at IS NULL`);
    expect(metricValue(await registry.metrics(), 'refinery_outbox_unsent_messages')).toBe(0);
  });

  describe('the whole service', () => {
    let app: Application;
    const lines: Array<{ msg: string; source?: string }> = [];
    beforeAll(async () => {
      app = await startTestApp({
        databaseUrl: scratch.url,
        logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) }),
        env: { DATABASE_URL: scratch.url, RABBITMQ_URL, RABBITMQ_PREFIX: `${prefix}-app`, RABBITMQ_QUEUE_TYPE: 'classic' },
      });
      cleanups.push(async () => {
        const topology = transportOf(app, RabbitMqMessageQueue).declaredTopology();
        await app.stop();
        await admin.deleteTopology(topology);
      });
    });

    it('reports tasks per state from PostgreSQL and queue depths from the broker; with PostgreSQL failing, /metrics still answers 200 without the database figures', async () => {
      const api = new Api(app);
      const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' });
      await notificationFor(api, 'alice', submitted.body.taskId, 'clarification-requested');
      await eventually(async () => {
        const { text } = await scrape(app);
        expect(metricValue(text, 'refinery_tasks', { state: 'CLARIFICATION_NEEDED' })).toBe(1);
        expect(metricValue(text, 'refinery_outbox_unsent_messages')).toBe(0);
      });
      const healthy = (await scrape(app)).text;
      expect(metricValue(healthy, 'refinery_consumer_queue_depth', { consumer: 'task-management.commands' })).toBe(0);
      // One observation per successful handling (a re-sent duplicate too): as many as handled.
      const created = { consumer: 'task-management.commands', type: 'task-management.create-task.v1' };
      expect(metricValue(healthy, 'refinery_message_critical_time_seconds_count', created)).toBeGreaterThanOrEqual(1);
      expect(metricValue(healthy, 'refinery_message_critical_time_seconds_count', created)).toBe(
        metricValue(healthy, 'refinery_messages_handled_total', created),
      );

      // Every query on the service's pool now fails, as with PostgreSQL gone.
      await app.database.dataSource.destroy();
      try {
        const { status, text } = await scrape(app);
        expect(status).toBe(200);
        for (const name of ['refinery_tasks', 'refinery_task_oldest_in_state_seconds', 'refinery_tasks_stalled', 'refinery_outbox_unsent_messages']) {
          expect([name, samplesOf(text, name)]).toEqual([name, []]);
        }
        expect(metricValue(text, 'refinery_metrics_source_up', { source: 'task-management.tasks' })).toBe(0);
        expect(metricValue(text, 'refinery_metrics_source_up', { source: 'message-queue' })).toBe(1);
        expect(metricValue(text, 'refinery_consumer_queue_depth', { consumer: 'task-management.commands' })).toBe(0);
        expect(lines.filter((l) => l.msg.startsWith('metrics source unavailable')).map((l) => l.source)).toEqual(
          expect.arrayContaining(['outbox', 'task-management.tasks', 'orchestration.task_projection']),
        );
      } finally {
        await app.database.dataSource.initialize();
      }
      expect(metricValue((await scrape(app)).text, 'refinery_tasks', { state: 'CLARIFICATION_NEEDED' })).toBe(1);
    });
  });
});
