import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ContractRegistry, defineContract, message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../../src/shared/messaging/envelope';
import { RetryableError } from '../../../../src/shared/kernel/errors';
import { RabbitMqMessageQueue, type RabbitMqMessageQueueOptions } from '../../../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { eventually } from '../../../support/eventually';
import { describeMessageQueueContract } from '../message-queue.contract';
import { BrokerAdmin, forceCloseConnection, RABBITMQ_URL, rabbitmqctl } from '../../../support/broker-admin';

// One prefix per run: durable exchanges and queues of other runs never see our messages.
const prefix = `refinery-test-${randomUUID().slice(0, 8)}`;
const created: RabbitMqMessageQueue[] = [];

function newQueue(options: Omit<RabbitMqMessageQueueOptions, 'url' | 'exchangePrefix'>): RabbitMqMessageQueue {
  const queue = new RabbitMqMessageQueue({ url: RABBITMQ_URL, exchangePrefix: prefix, publishTimeoutMs: 5_000, ...options });
  created.push(queue);
  return queue;
}

afterAll(async () => {
  await Promise.all(created.map((queue) => queue.close()));
  const admin = await BrokerAdmin.open();
  const queues = new Set(created.flatMap((queue) => queue.declaredTopology().queues));
  const exchanges = new Set(created.flatMap((queue) => queue.declaredTopology().exchanges));
  await admin.deleteTopology({ queues: [...queues], exchanges: [...exchanges] });
  await admin.close();
});

describeMessageQueueContract('RabbitMqMessageQueue', async ({ registry, retryPolicy }) => {
  const queue = newQueue({ registry, retryPolicy });
  await queue.start();
  return queue;
});

const Tick = defineContract('rabbit-test.tick.v1', 'event', z.object({ i: z.number().int() }));
const Run = defineContract('rabbit-test.run.v1', 'command', z.object({ i: z.number().int() }));
const registry = new ContractRegistry().register(Tick, Run);
const FAST = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200, multiplier: 2, jitter: 0 };
const tick = (i: number): Envelope => createEnvelope(message(Tick, `task-${i}`, { i }));
const indexOf = (m: Envelope): number => Tick.schema.parse(m.payload).i;

describe('RabbitMqMessageQueue on a real broker', () => {
  let admin: BrokerAdmin;
  beforeAll(async () => {
    admin = await BrokerAdmin.open();
  });
  afterAll(async () => {
    await admin.close();
  });

  const consumerName = (purpose: string): string => `rabbit-test.${purpose}-${randomUUID().slice(0, 8)}`;

  it('refuses a command no queue is bound for yet (retryably), and delivers it once its consumer exists', async () => {
    const queue = newQueue({ registry, retryPolicy: FAST });
    const command = createEnvelope(message(Run, 'task-1', { i: 1 }));
    await expect(queue.publishCommand(command)).rejects.toThrow(RetryableError);
    const seen: string[] = [];
    await queue.subscribeToCommands({ consumer: consumerName('runner'), types: [Run.type], handler: async (m) => void seen.push(m.messageId) });
    await queue.publishCommand(command);
    await eventually(() => expect(seen).toEqual([command.messageId]));
  });

  it('retries a failed delivery for the failing consumer only, telling the handler and the observers', async () => {
    const queue = newQueue({ registry, retryPolicy: FAST });
    const retries: Array<{ consumer: string; attempt: number; delayMs: number }> = [];
    queue.addDeliveryObserver({ retryScheduled: ({ consumer, attempt, delayMs }) => void retries.push({ consumer, attempt, delayMs }) });
    const flaky = consumerName('flaky');
    const deliveries: Array<{ attempt: number; redelivered: boolean }> = [];
    await queue.subscribeToEvents({
      consumer: flaky,
      types: [Tick.type],
      handler: async (_, delivery) => {
        deliveries.push({ attempt: delivery?.attempt ?? 0, redelivered: delivery?.redelivered ?? false });
        if (deliveries.length === 1) throw new RetryableError('busy');
      },
    });
    const calm: number[] = [];
    await queue.subscribeToEvents({ consumer: consumerName('calm'), types: [Tick.type], handler: async (m) => void calm.push(indexOf(m)) });
    await queue.publishEvent(tick(1));
    await eventually(() => expect(deliveries).toHaveLength(2));
    expect(deliveries).toEqual([
      { attempt: 1, redelivered: false },
      { attempt: 2, redelivered: true },
    ]);
    expect(retries).toEqual([{ consumer: flaky, attempt: 1, delayMs: FAST.initialDelayMs }]);
    expect(calm).toEqual([1]);
  });

  it('dead-letters with the reason in headers an operator can read on the broker', async () => {
    const queue = newQueue({ registry, retryPolicy: FAST });
    const consumer = consumerName('refuser');
    await queue.subscribeToEvents({ consumer, types: [Tick.type], handler: async () => Promise.reject(new RetryableError('still down')) });
    await queue.publishEvent(tick(1));
    const [deadLetter] = await eventually(async () => {
      const found = await queue.listDeadLetters(consumer);
      expect(found).toHaveLength(1);
      return found;
    });
    const headers = await admin.peekHeaders(`${prefix}.${consumer}.dlq`);
    expect(headers).toMatchObject({
      'x-refinery-dead-letter-id': deadLetter?.id,
      'x-refinery-consumer': consumer,
      'x-refinery-error-class': 'RetryableError',
      'x-refinery-error-message': 'still down',
      'x-refinery-attempts': FAST.maxAttempts,
      'x-refinery-first-failed-at': deadLetter?.firstFailedAt,
      'x-refinery-last-failed-at': deadLetter?.lastFailedAt,
    });
    // Listing and peeking took nothing away.
    expect(await queue.listDeadLetters(consumer)).toEqual([deadLetter]);
  });

  it('delivers a delayed publish no earlier than asked', async () => {
    const queue = newQueue({ registry, retryPolicy: FAST });
    const arrivals: number[] = [];
    await queue.subscribeToEvents({ consumer: consumerName('patient'), types: [Tick.type], handler: async () => void arrivals.push(Date.now()) });
    const sentAt = Date.now();
    await queue.publishEvent(tick(1), { delayMs: 300 });
    await eventually(() => expect(arrivals).toHaveLength(1));
    expect((arrivals[0] as number) - sentAt).toBeGreaterThanOrEqual(250);
  });

  it('consumes again when the broker cancels its consumer because the queue was deleted', async () => {
    const queue = newQueue({ registry, retryPolicy: FAST });
    const consumer = consumerName('orphaned');
    const seen: number[] = [];
    await queue.subscribeToEvents({ consumer, types: [Tick.type], handler: async (m) => void seen.push(indexOf(m)) });
    await admin.deleteQueue(`${prefix}.${consumer}`);
    // The consumer re-declares its queue (and bindings) and consumes from it again.
    await eventually(async () => expect(await admin.consumerCount(`${prefix}.${consumer}`)).toBe(1), { timeoutMs: 5_000, intervalMs: 50 });
    await queue.publishEvent(tick(2));
    await eventually(() => expect(seen).toEqual([2]));
  });

  (rabbitmqctl ? it : it.skip)(
    'rejects publishes at once while the connection is down, then reconnects and resumes consuming',
    async () => {
      const connectionName = `refinery-test-${randomUUID().slice(0, 8)}`;
      // A slow first reconnect leaves a window in which the connection is certainly down.
      const queue = newQueue({ registry, retryPolicy: FAST, connectionName, reconnect: { initialDelayMs: 1_500, maxDelayMs: 1_500 } });
      const seen: number[] = [];
      await queue.subscribeToEvents({ consumer: consumerName('survivor'), types: [Tick.type], handler: async (m) => void seen.push(indexOf(m)) });
      await queue.publishEvent(tick(1));
      await eventually(() => expect(seen).toEqual([1]));

      await forceCloseConnection(connectionName);
      await eventually(() => expect(queue.isConnected()).toBe(false), { timeoutMs: 5_000 });
      const startedAt = Date.now();
      await expect(queue.publishEvent(tick(2))).rejects.toThrow(RetryableError);
      expect(Date.now() - startedAt).toBeLessThan(200);

      await eventually(() => expect(queue.isConnected()).toBe(true), { timeoutMs: 10_000 });
      // The work queue is durable: what is published now waits for the consumer to come back.
      await queue.publishEvent(tick(3));
      await eventually(() => expect(seen).toEqual([1, 3]), { timeoutMs: 10_000 });
    },
    30_000,
  );
});
