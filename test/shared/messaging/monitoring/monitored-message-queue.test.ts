import pino from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { silentLogger } from '../../../../src/shared/logging/logger';
import { ContractRegistry, defineContract, message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../../src/shared/messaging/envelope';
import { RetryableError } from '../../../../src/shared/kernel/errors';
import { InvalidMessageError } from '../../../../src/shared/messaging/errors';
import { InMemoryMessageQueue } from '../../../../src/shared/messaging/in-memory/in-memory-message-queue';
import type { MessageQueue, Subscription } from '../../../../src/shared/messaging/message-queue';
import { MonitoredMessageQueue } from '../../../../src/shared/messaging/monitoring/monitored-message-queue';
import { describeMessageQueueContract } from '../message-queue.contract';

describeMessageQueueContract('MonitoredMessageQueue over InMemoryMessageQueue', async ({ registry, retryPolicy }) => {
  const inner = new InMemoryMessageQueue({ registry, retryPolicy });
  const monitored = new MonitoredMessageQueue(inner, { logger: silentLogger() });
  // The decorator adds no test hooks of its own: reach the inner queue for unchecked publishes.
  return Object.assign(monitored, { publishUnchecked: inner.publishUnchecked.bind(inner) });
});

const Pinged = defineContract('mon-test.pinged.v1', 'event', z.object({ n: z.number().int() }));
const Work = defineContract('mon-test.work.v1', 'command', z.object({ n: z.number().int() }));
const registry = new ContractRegistry().register(Pinged, Work);
const retryPolicy = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 50, multiplier: 2, jitter: 0 };

type LogLine = Record<string, unknown> & { level: number; msg: string };

function memoryLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

const LEVEL = { debug: 20, warn: 40, error: 50 } as const;

describe('MonitoredMessageQueue', () => {
  let inner: InMemoryMessageQueue;
  let queue: MonitoredMessageQueue;
  let lines: LogLine[];
  beforeEach(() => {
    const memory = memoryLogger();
    lines = memory.lines;
    inner = new InMemoryMessageQueue({ registry, retryPolicy });
    queue = new MonitoredMessageQueue(inner, { logger: memory.logger });
  });
  afterEach(() => queue.close());

  const failing = (consumer: string, error: () => Error): Subscription => ({
    consumer,
    types: [Pinged.type],
    handler: async () => Promise.reject(error()),
  });

  it('counts publishes, handled messages, failures, retries and dead letters per type and consumer', async () => {
    await queue.subscribeToEvents({ consumer: 'test.happy', types: [Pinged.type], handler: async () => undefined });
    await queue.subscribeToEvents(failing('test.flaky', () => new RetryableError('db down')));
    await queue.subscribeToCommands({ consumer: 'test.worker', types: [Work.type], handler: async () => undefined });
    await queue.publishEvent(createEnvelope(message(Pinged, 't1', { n: 1 })));
    await queue.publishCommand(createEnvelope(message(Work, 't1', { n: 2 })));
    await queue.publishCommand(createEnvelope(message(Work, 't2', { n: 3 })));
    await expect(queue.publishEvent(createEnvelope({ type: Pinged.type, kind: 'event', key: 't', payload: {} }))).rejects.toThrow(InvalidMessageError);
    await inner.publishUnchecked('event', { ...createEnvelope(message(Pinged, 't3', { n: 4 })), payload: { n: 'four' } });
    await queue.whenIdle();

    expect(queue.stats()).toEqual({
      published: { [Pinged.type]: 1, [Work.type]: 2 },
      publishFailed: { [Pinged.type]: 1 },
      handled: { 'test.happy': { [Pinged.type]: 1 }, 'test.worker': { [Work.type]: 2 } },
      failed: { 'test.flaky': { [Pinged.type]: 3 } },
      retried: { 'test.flaky': { [Pinged.type]: 2 } },
      // The malformed message reaches neither handler: both consumers dead-letter it on delivery.
      deadLettered: { 'test.flaky': { [Pinged.type]: 2 }, 'test.happy': { [Pinged.type]: 1 } },
    });
    const text = await queue.metricsText();
    expect(text).toContain(`refinery_messages_published_total{type="${Work.type}",kind="command"} 2`);
    expect(text).toContain(`refinery_messages_handled_total{consumer="test.worker",type="${Work.type}"} 2`);
    expect(text).toContain(`refinery_message_retries_total{consumer="test.flaky",type="${Pinged.type}"} 2`);
    expect(text).toContain(`refinery_messages_dead_lettered_total{consumer="test.happy",type="${Pinged.type}",error_class="InvalidMessageError"} 1`);
    expect(text).toMatch(/refinery_message_handle_duration_seconds_count\{consumer="test.flaky",type="mon-test.pinged.v1",outcome="failure"\} 3/);
  });

  it('logs every step with the message’s ids, at a level that matches what happened', async () => {
    await queue.subscribeToEvents({ consumer: 'test.happy', types: [Pinged.type], handler: async () => undefined });
    await queue.subscribeToEvents(failing('test.flaky', () => new RetryableError('db down')));
    const cause = createEnvelope(message(Pinged, 'k0', { n: 0 }), { correlationId: 'corr-42' });
    const sent: Envelope = createEnvelope(message(Pinged, 'task-9', { n: 1 }), { causedBy: cause });
    await queue.publishEvent(sent);
    await queue.whenIdle();

    const ids = { messageId: sent.messageId, correlationId: 'corr-42', causationId: cause.messageId, type: Pinged.type, key: 'task-9' };
    const find = (msg: string, extra: Record<string, unknown> = {}): LogLine[] =>
      lines.filter((l) => l.msg === msg && Object.entries(extra).every(([k, v]) => l[k] === v));
    expect(find('message published')).toEqual([expect.objectContaining({ ...ids, level: LEVEL.debug, durationMs: expect.any(Number) })]);
    expect(find('message handled')).toEqual([
      expect.objectContaining({ ...ids, level: LEVEL.debug, consumer: 'test.happy', attempt: 1, durationMs: expect.any(Number) }),
    ]);
    expect(find('message handling failed; will retry').map((l) => [l.level, l['attempt'], l['correlationId'], l['consumer']])).toEqual([
      [LEVEL.warn, 1, 'corr-42', 'test.flaky'],
      [LEVEL.warn, 2, 'corr-42', 'test.flaky'],
    ]);
    expect(find('message dead-lettered')).toEqual([
      expect.objectContaining({
        ...ids,
        level: LEVEL.error,
        consumer: 'test.flaky',
        attempt: 3,
        err: { errorClass: 'RetryableError', errorMessage: 'db down' },
      }),
    ]);
  });

  it('delegates dead-letter administration to the queue it wraps', async () => {
    await queue.subscribeToEvents(failing('test.flaky', () => new InvalidMessageError(Pinged.type, ['n: no'])));
    await queue.publishEvent(createEnvelope(message(Pinged, 't', { n: 1 })));
    await queue.whenIdle();
    const [deadLetter] = await queue.listDeadLetters('test.flaky');
    expect(deadLetter).toMatchObject({ consumer: 'test.flaky', errorClass: 'InvalidMessageError', attempts: 1 });
    expect(await queue.replayDeadLetters('test.flaky')).toBe(1);
    await queue.whenIdle();
    expect(await queue.purgeDeadLetters('test.flaky')).toBe(1);
    expect(await inner.listDeadLetters()).toEqual([]);
    expect(queue.stats().deadLettered).toEqual({ 'test.flaky': { [Pinged.type]: 2 } });
  });

  it('wraps a bare MessageQueue too: counts into the given registry, warns on failures, refuses admin it lacks', async () => {
    const subscriptions: Subscription[] = [];
    const bare: MessageQueue = {
      publishEvent: async () => undefined,
      publishCommand: async () => undefined,
      subscribeToEvents: async (s) => {
        subscriptions.push(s);
        return async () => undefined;
      },
      subscribeToCommands: async () => async () => undefined,
      close: async () => undefined,
    };
    const memory = memoryLogger();
    const metricsRegistry = new Registry();
    const monitored = new MonitoredMessageQueue(bare, { logger: memory.logger, metricsRegistry });
    await monitored.subscribeToEvents(failing('test.bare', () => new Error('boom')));
    const delivered = createEnvelope(message(Pinged, 't', { n: 1 }), { correlationId: 'corr-7' });
    await expect(subscriptions[0]?.handler(delivered, { consumer: 'test.bare', attempt: 1, redelivered: false })).rejects.toThrow('boom');
    expect(monitored.stats().failed).toEqual({ 'test.bare': { [Pinged.type]: 1 } });
    expect(await metricsRegistry.metrics()).toContain('refinery_message_handler_failures_total{consumer="test.bare",type="mon-test.pinged.v1"} 1');
    expect(memory.lines.filter((l) => l.level === LEVEL.warn)).toEqual([
      expect.objectContaining({ msg: 'message handler failed', correlationId: 'corr-7', attempt: 1 }),
    ]);
    await expect(monitored.listDeadLetters()).rejects.toThrow(/no dead-letter administration/);
    await expect(monitored.whenIdle()).rejects.toThrow(/cannot tell when it is idle/);
  });
});
