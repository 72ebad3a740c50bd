import pino from 'pino';
import { z } from 'zod';
import { NonRetryableError, RetryableError } from '../../../../src/shared/kernel/errors';
import { ContractRegistry, defineContract, message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../../src/shared/messaging/envelope';
import { InMemoryMessageQueue } from '../../../../src/shared/messaging/in-memory/in-memory-message-queue';
import type { MessageQueue, Subscription, Unsubscribe } from '../../../../src/shared/messaging/message-queue';
import { MonitoredMessageQueue } from '../../../../src/shared/messaging/monitoring/monitored-message-queue';
import { eventually } from '../../../support/eventually';
import { metricValue } from '../../../support/metrics';

const Job = defineContract('depth-test.job.v1', 'command', z.object({ n: z.number().int() }));
const registry = new ContractRegistry().register(Job);
const CREATED = Date.parse('2026-03-01T10:00:00.000Z');
const job = (n: number, createdAt = CREATED) => createEnvelope(message(Job, `task-${n}`, { n }), { now: new Date(createdAt) });

/** A handler that holds every message until the test opens it, and records what it saw. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const seen: number[] = [];
  return {
    seen,
    open: () => open(),
    handler: async (m: { payload: unknown }) => {
      seen.push(Job.schema.parse(m.payload).n);
      await opened;
    },
  };
}

describe('per-consumer queue metrics on the in-memory transport', () => {
  let inner: InMemoryMessageQueue;
  let queue: MonitoredMessageQueue;
  let nowMs: number;
  const subscriptions: Unsubscribe[] = [];
  beforeEach(() => {
    nowMs = CREATED;
    // One delivery in flight per consumer: what the handler has not taken yet waits in the queue.
    inner = new InMemoryMessageQueue({
      registry,
      prefetch: 1,
      retryPolicy: { maxAttempts: 2, initialDelayMs: 60_000, maxDelayMs: 60_000, multiplier: 1, jitter: 0 },
    });
    queue = new MonitoredMessageQueue(inner, { logger: pino({ level: 'silent' }), now: () => nowMs });
  });
  afterEach(async () => {
    for (const unsubscribe of subscriptions.splice(0)) await unsubscribe().catch(() => undefined);
    await queue.close();
  });

  const subscribe = async (subscription: Omit<Subscription, 'types'>, on: MessageQueue = queue) => {
    subscriptions.push(await on.subscribeToCommands({ ...subscription, types: [Job.type] }));
  };
  const metric = async (name: string, consumer: string) => metricValue(await queue.metricsText(), name, { consumer });

  it('counts the messages waiting behind a blocked handler, the one in flight, and how old the oldest waiting one is', async () => {
    const blocked = gate();
    await subscribe({ consumer: 'depth-test.worker', handler: blocked.handler });
    expect(await metric('refinery_consumer_queue_depth', 'depth-test.worker')).toBe(0);
    expect(await metric('refinery_consumer_in_flight_messages', 'depth-test.worker')).toBe(0);

    await queue.publishCommand(job(1, CREATED));
    await queue.publishCommand(job(2, CREATED + 5_000));
    await queue.publishCommand(job(3, CREATED + 9_000));
    await eventually(() => expect(blocked.seen).toEqual([1]));
    nowMs = CREATED + 30_000;

    expect(await metric('refinery_consumer_queue_depth', 'depth-test.worker')).toBe(2);
    expect(await metric('refinery_consumer_in_flight_messages', 'depth-test.worker')).toBe(1);
    // Message 2 is the oldest still waiting (created 5 s after the start), message 1 the one in hand.
    expect(await metric('refinery_consumer_oldest_waiting_message_age_seconds', 'depth-test.worker')).toBe(25);
    expect(await metric('refinery_consumer_oldest_in_flight_message_age_seconds', 'depth-test.worker')).toBe(30);

    nowMs = CREATED + 40_000;
    expect(await metric('refinery_consumer_oldest_waiting_message_age_seconds', 'depth-test.worker')).toBe(35);

    blocked.open();
    await queue.whenIdle();
    expect(blocked.seen).toEqual([1, 2, 3]);
    expect(await metric('refinery_consumer_queue_depth', 'depth-test.worker')).toBe(0);
    expect(await metric('refinery_consumer_in_flight_messages', 'depth-test.worker')).toBe(0);
    expect(await metric('refinery_consumer_oldest_waiting_message_age_seconds', 'depth-test.worker')).toBe(0);
    expect(await metric('refinery_consumer_oldest_in_flight_message_age_seconds', 'depth-test.worker')).toBeUndefined();
  });

  it('puts the time from creation to handling in the critical-time histogram under the message type', async () => {
    await subscribe({
      consumer: 'depth-test.fast',
      handler: async () => {
        // Handled 90 seconds (on the controlled clock) after the message was created.
        nowMs = CREATED + 90_000;
      },
    });
    await queue.publishCommand(job(1));
    await queue.whenIdle();
    const text = await queue.metricsText();
    const labels = { consumer: 'depth-test.fast', type: Job.type };
    expect(metricValue(text, 'refinery_message_critical_time_seconds_count', labels)).toBe(1);
    expect(metricValue(text, 'refinery_message_critical_time_seconds_sum', labels)).toBe(90);
    expect(metricValue(text, 'refinery_message_critical_time_seconds_bucket', { ...labels, le: '60' })).toBe(0);
    expect(metricValue(text, 'refinery_message_critical_time_seconds_bucket', { ...labels, le: '300' })).toBe(1);
  });

  it('counts a failed delivery waiting out its backoff, and a dead letter, in their own queues; a failure is no critical time', async () => {
    await subscribe({
      consumer: 'depth-test.failing',
      handler: async (m) => {
        throw Job.schema.parse(m.payload).n === 1 ? new RetryableError('database busy') : new NonRetryableError('refused');
      },
    });
    await queue.publishCommand(job(1));
    await eventually(async () => expect(await metric('refinery_consumer_retry_queue_depth', 'depth-test.failing')).toBe(1));
    await queue.publishCommand(job(2));
    await eventually(async () => expect(await metric('refinery_consumer_dead_letter_queue_depth', 'depth-test.failing')).toBe(1));
    expect(await metric('refinery_consumer_queue_depth', 'depth-test.failing')).toBe(0);
    expect(
      metricValue(await queue.metricsText(), 'refinery_message_critical_time_seconds_count', { consumer: 'depth-test.failing', type: Job.type }),
    ).toBeUndefined();
    await queue.purgeDeadLetters('depth-test.failing');
    expect(await metric('refinery_consumer_dead_letter_queue_depth', 'depth-test.failing')).toBe(0);
  });
});
