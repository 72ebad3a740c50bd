import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../../src/shared/kernel/domain-error';
import { ContractRegistry, defineContract, message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope, type MessageKind } from '../../../src/shared/messaging/envelope';
import { AwaitingPrecedingMessageError, NonRetryableError, RetryableError } from '../../../src/shared/kernel/errors';
import { InvalidMessageError } from '../../../src/shared/messaging/errors';
import { mulberry32 } from '../../../src/shared/messaging/in-memory/seeded-random';
import type { RetryPolicy } from '../../../src/shared/kernel/retry';
import type { DeadLetterAdmin, MessageHandler, MessageQueue } from '../../../src/shared/messaging/message-queue';
import { eventually } from '../../support/eventually';

export const Pinged = defineContract('contract-test.pinged.v1', 'event', z.object({ n: z.number().int() }));
export const Ponged = defineContract('contract-test.ponged.v1', 'event', z.object({ n: z.number().int() }));
export const DoWork = defineContract('contract-test.do-work.v1', 'command', z.object({ n: z.number().int() }));

/** What the suite hands the factory: its contracts, and retries short enough for a test. */
export interface ContractQueueSetup {
  readonly registry: ContractRegistry;
  readonly retryPolicy: RetryPolicy;
}

export type QueueUnderTest = MessageQueue &
  DeadLetterAdmin & {
    /** When the transport can tell it has nothing left to do; otherwise the suite waits briefly. */
    whenIdle?(): Promise<void>;
    /** Publishes without validation, to play a producer on another schema version. */
    publishUnchecked?(kind: MessageKind, raw: unknown): Promise<void>;
  };

export interface ContractSuiteOptions {
  /** Set false for a transport that cannot publish unvalidated messages: skips that one case. */
  readonly canPublishUnchecked?: boolean;
  /** How long to wait for absent deliveries on a transport without `whenIdle`. */
  readonly graceMs?: number;
}

const RETRY: RetryPolicy = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200, multiplier: 2, jitter: 0 };

class IllegalMove extends DomainError {
  readonly code = 'ILLEGAL_MOVE';
}

const pinged = (key: string, n: number): Envelope => createEnvelope(message(Pinged, key, { n }));
const doWork = (key: string, n: number): Envelope => createEnvelope(message(DoWork, key, { n }));

function recorder(): { seen: Envelope[]; handler: MessageHandler } {
  const seen: Envelope[] = [];
  return { seen, handler: async (m) => void seen.push(m) };
}

/**
 * The behaviour every MessageQueue must show, whatever carries the messages. Runs unchanged
 * against each transport; it only uses the port, the dead-letter admin and optional helpers.
 */
export function describeMessageQueueContract(
  name: string,
  createQueue: (setup: ContractQueueSetup) => Promise<QueueUnderTest>,
  options: ContractSuiteOptions = {},
): void {
  describe(`${name} honours the MessageQueue contract`, () => {
    const registry = new ContractRegistry().register(Pinged, Ponged, DoWork);
    // Unique names: a broker keeps durable queues between runs, and old messages must not leak in.
    const run = randomUUID().slice(0, 8);
    let seq = 0;
    const consumerName = (purpose: string): string => `contract-test.${purpose}-${run}-${++seq}`;
    let queue: QueueUnderTest;
    const quiesce = (): Promise<void> => (queue.whenIdle ? queue.whenIdle() : new Promise((resolve) => setTimeout(resolve, options.graceMs ?? 300)));

    beforeEach(async () => {
      queue = await createQueue({ registry, retryPolicy: RETRY });
    });
    afterEach(async () => {
      await queue.close();
    });

    it('delivers a published event to its subscriber, envelope intact', async () => {
      const { seen, handler } = recorder();
      await queue.subscribeToEvents({ consumer: consumerName('receiver'), types: [Pinged.type], handler });
      const sent = createEnvelope(message(Pinged, 'task-1', { n: 1 }), { correlationId: 'corr-1' });
      await queue.publishEvent(sent);
      await eventually(() => expect(seen).toHaveLength(1));
      expect(seen[0]).toEqual(sent);
    });

    it('fans an event out to every consumer, once each', async () => {
      const a = recorder();
      const b = recorder();
      await queue.subscribeToEvents({ consumer: consumerName('fan-a'), types: [Pinged.type], handler: a.handler });
      await queue.subscribeToEvents({ consumer: consumerName('fan-b'), types: [Pinged.type], handler: b.handler });
      const sent = [pinged('t', 1), pinged('t', 2), pinged('u', 3)];
      for (const m of sent) await queue.publishEvent(m);
      await eventually(() => expect(a.seen.length + b.seen.length).toBe(6));
      await quiesce();
      const ids = sent.map((m) => m.messageId).sort();
      expect(a.seen.map((m) => m.messageId).sort()).toEqual(ids);
      expect(b.seen.map((m) => m.messageId).sort()).toEqual(ids);
    });

    it('gives each command to exactly one of the competing subscriptions of its consumer', async () => {
      const consumer = consumerName('workers');
      const first = recorder();
      const second = recorder();
      await queue.subscribeToCommands({ consumer, types: [DoWork.type], handler: first.handler });
      await queue.subscribeToCommands({ consumer, types: [DoWork.type], handler: second.handler });
      const sent = Array.from({ length: 20 }, (_, i) => doWork(`task-${i % 4}`, i));
      for (const m of sent) await queue.publishCommand(m);
      await eventually(() => expect(first.seen.length + second.seen.length).toBeGreaterThanOrEqual(20));
      await quiesce();
      const handled = [...first.seen, ...second.seen].map((m) => m.messageId).sort();
      expect(handled).toEqual(sent.map((m) => m.messageId).sort());
    });

    it('retries a failing message with growing delays until it succeeds', async () => {
      const consumer = consumerName('flaky');
      const attemptsAt: number[] = [];
      await queue.subscribeToEvents({
        consumer,
        types: [Pinged.type],
        handler: async () => {
          attemptsAt.push(Date.now());
          if (attemptsAt.length < 3) throw new RetryableError('database busy');
        },
      });
      await queue.publishEvent(pinged('t', 1));
      await eventually(() => expect(attemptsAt).toHaveLength(3));
      await quiesce();
      const [a, b, c] = attemptsAt as [number, number, number];
      // Timers may fire a little early or late; half the configured delay is a safe floor.
      expect(b - a).toBeGreaterThanOrEqual(RETRY.initialDelayMs / 2);
      expect(c - b).toBeGreaterThanOrEqual((RETRY.initialDelayMs * RETRY.multiplier) / 2);
      expect(attemptsAt).toHaveLength(3);
      expect(await queue.listDeadLetters(consumer)).toEqual([]);
    });

    it('dead-letters a message whose retries are exhausted, with the reason and attempt count', async () => {
      const consumer = consumerName('broken');
      let calls = 0;
      await queue.subscribeToEvents({
        consumer,
        types: [Pinged.type],
        handler: async () => {
          calls += 1;
          throw new Error('database unavailable');
        },
      });
      const sent = pinged('t', 1);
      await queue.publishEvent(sent);
      const [deadLetter] = await eventually(async () => {
        const list = await queue.listDeadLetters(consumer);
        expect(list).toHaveLength(1);
        return list;
      });
      expect(deadLetter).toMatchObject({
        consumer,
        messageType: Pinged.type,
        errorClass: 'Error',
        errorMessage: 'database unavailable',
        attempts: RETRY.maxAttempts,
      });
      expect(deadLetter?.message).toMatchObject({ messageId: sent.messageId, payload: { n: 1 } });
      expect(Date.parse(deadLetter?.firstFailedAt ?? '')).toBeLessThanOrEqual(Date.parse(deadLetter?.lastFailedAt ?? ''));
      await quiesce();
      expect(calls).toBe(RETRY.maxAttempts);
    });

    it('starts over once, with a fresh set of attempts, before dead-letting a retryable failure', async () => {
      await queue.close();
      const startOverAfterMs = 60;
      queue = await createQueue({ registry, retryPolicy: { ...RETRY, startOverOnceAfterMs: startOverAfterMs } });
      const consumer = consumerName('second-chance');
      const deliveries: Array<{ attempt: number | undefined; at: number }> = [];
      await queue.subscribeToEvents({
        consumer,
        types: [Pinged.type],
        handler: async (_message, delivery) => {
          deliveries.push({ attempt: delivery?.attempt, at: Date.now() });
          throw new RetryableError('the task it needs is not there yet');
        },
      });
      await queue.publishEvent(pinged('t', 1));
      const [deadLetter] = await eventually(
        async () => {
          const list = await queue.listDeadLetters(consumer);
          expect(list).toHaveLength(1);
          return list;
        },
        { timeoutMs: 5_000 },
      );
      await quiesce();
      // Two full sets of attempts, numbered from 1 again after the start-over, then the dead letter.
      expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 1, 2, 3]);
      const [lastOfFirst, firstOfSecond] = [deliveries[2], deliveries[3]] as [{ at: number }, { at: number }];
      expect(firstOfSecond.at - lastOfFirst.at).toBeGreaterThanOrEqual(startOverAfterMs / 2);
      expect(deadLetter).toMatchObject({ errorMessage: 'the task it needs is not there yet', attempts: RETRY.maxAttempts });
    });

    it('keeps retrying a message that waits for one it depends on, past every set of attempts, until it can be handled', async () => {
      await queue.close();
      queue = await createQueue({ registry, retryPolicy: { ...RETRY, startOverOnceAfterMs: 60, waitForPrecedingMs: 60_000 } });
      const consumer = consumerName('waiting');
      // The message it waits for "arrives" after more deliveries than two full sets of attempts.
      const arrivesAfter = 2 * RETRY.maxAttempts + 2;
      const attempts: Array<number | undefined> = [];
      const handled: Envelope[] = [];
      await queue.subscribeToEvents({
        consumer,
        types: [Pinged.type],
        handler: async (m, delivery) => {
          attempts.push(delivery?.attempt);
          if (attempts.length <= arrivesAfter) throw new AwaitingPrecedingMessageError('the task view is at version 1; this is about version 2');
          handled.push(m);
        },
      });
      const sent = pinged('t', 1);
      await queue.publishEvent(sent);
      await eventually(() => expect(handled.map((m) => m.messageId)).toEqual([sent.messageId]), { timeoutMs: 10_000 });
      await quiesce();
      // One run of attempts, numbered on past maxAttempts, with no start-over and no dead letter.
      expect(attempts).toEqual(Array.from({ length: arrivesAfter + 1 }, (_, i) => i + 1));
      expect(await queue.listDeadLetters(consumer)).toEqual([]);
    });

    it('dead-letters a waiting message once it has waited longer than it may', async () => {
      await queue.close();
      queue = await createQueue({ registry, retryPolicy: { ...RETRY, waitForPrecedingMs: 100 } });
      const consumer = consumerName('waited-too-long');
      await queue.subscribeToEvents({
        consumer,
        types: [Pinged.type],
        handler: async () => {
          throw new AwaitingPrecedingMessageError('the PRD it is about never arrived');
        },
      });
      await queue.publishEvent(pinged('t', 1));
      const [deadLetter] = await eventually(
        async () => {
          const list = await queue.listDeadLetters(consumer);
          expect(list).toHaveLength(1);
          return list;
        },
        { timeoutMs: 5_000 },
      );
      expect(deadLetter).toMatchObject({ errorClass: 'AwaitingPrecedingMessageError', errorMessage: 'the PRD it is about never arrived' });
      expect(deadLetter?.attempts).toBeGreaterThanOrEqual(RETRY.maxAttempts);
      expect(Date.parse(deadLetter?.lastFailedAt ?? '') - Date.parse(deadLetter?.firstFailedAt ?? '')).toBeGreaterThanOrEqual(100);
    });

    it('does not start over a message that failed for good (non-retryable)', async () => {
      await queue.close();
      queue = await createQueue({ registry, retryPolicy: { ...RETRY, startOverOnceAfterMs: 60 } });
      const consumer = consumerName('no-second-chance');
      let calls = 0;
      await queue.subscribeToCommands({
        consumer,
        types: [DoWork.type],
        handler: async () => {
          calls += 1;
          throw new NonRetryableError('can never work');
        },
      });
      await queue.publishCommand(doWork('t', 1));
      await eventually(async () => expect(await queue.listDeadLetters(consumer)).toHaveLength(1));
      await quiesce();
      expect(calls).toBe(1);
    });

    it.each([
      ['a NonRetryableError', (): Error => new NonRetryableError('can never work'), 'NonRetryableError'],
      ['a domain rule violation', (): Error => new IllegalMove('task 7 is closed'), 'IllegalMove'],
    ])('dead-letters at once on %s', async (_, failure, errorClass) => {
      const consumer = consumerName('refusing');
      let calls = 0;
      await queue.subscribeToCommands({
        consumer,
        types: [DoWork.type],
        handler: async () => {
          calls += 1;
          throw failure();
        },
      });
      await queue.publishCommand(doWork('t', 1));
      const list = await eventually(async () => {
        const found = await queue.listDeadLetters(consumer);
        expect(found).toHaveLength(1);
        return found;
      });
      expect(list[0]).toMatchObject({ errorClass, attempts: 1 });
      await quiesce();
      expect(calls).toBe(1);
    });

    it('refuses to publish a message that breaks its contract, naming the field', async () => {
      const { seen, handler } = recorder();
      await queue.subscribeToEvents({ consumer: consumerName('strict'), types: [Pinged.type], handler });
      const bad = createEnvelope({ type: Pinged.type, kind: 'event', key: 't', payload: { n: 'one' } });
      await expect(queue.publishEvent(bad)).rejects.toThrow(InvalidMessageError);
      await expect(queue.publishEvent(bad)).rejects.toThrow(/payload\.n/);
      await expect(queue.publishCommand(pinged('t', 1))).rejects.toThrow(/kind/);
      await quiesce();
      expect(seen).toEqual([]);
    });

    (options.canPublishUnchecked === false ? it.skip : it)(
      'dead-letters a message that fails its contract on delivery, without calling the handler',
      async () => {
        const consumer = consumerName('old-schema');
        const { seen, handler } = recorder();
        await queue.subscribeToEvents({ consumer, types: [Pinged.type], handler });
        expect(typeof queue.publishUnchecked).toBe('function');
        await queue.publishUnchecked?.('event', { ...pinged('t', 1), payload: { n: 'one' } });
        const list = await eventually(async () => {
          const found = await queue.listDeadLetters(consumer);
          expect(found).toHaveLength(1);
          return found;
        });
        expect(list[0]).toMatchObject({ errorClass: 'InvalidMessageError', attempts: 1, messageType: Pinged.type });
        expect(list[0]?.errorMessage).toMatch(/payload\.n/);
        const good = pinged('t', 2);
        await queue.publishEvent(good);
        await eventually(() => expect(seen.map((m) => m.messageId)).toEqual([good.messageId]));
      },
    );

    it('replays a dead letter once the fault is fixed, and it then succeeds', async () => {
      const consumer = consumerName('fixable');
      let fixed = false;
      const { seen, handler } = recorder();
      await queue.subscribeToEvents({
        consumer,
        types: [Pinged.type],
        handler: async (m) => {
          if (!fixed) throw new NonRetryableError('bug in handler');
          await handler(m);
        },
      });
      const sent = pinged('t', 1);
      await queue.publishEvent(sent);
      const [deadLetter] = await eventually(async () => {
        const found = await queue.listDeadLetters(consumer);
        expect(found).toHaveLength(1);
        return found;
      });
      fixed = true;
      expect(await queue.replayDeadLetters(consumer, { id: deadLetter?.id as string })).toBe(1);
      await eventually(() => expect(seen.map((m) => m.messageId)).toEqual([sent.messageId]));
      expect(await queue.listDeadLetters(consumer)).toEqual([]);
    });

    it('replays and purges dead letters selected by type', async () => {
      const consumer = consumerName('sorter');
      let fixed = false;
      const { seen, handler } = recorder();
      await queue.subscribeToEvents({
        consumer,
        types: [Pinged.type, Ponged.type],
        handler: async (m) => {
          if (!fixed) throw new NonRetryableError('not yet');
          await handler(m);
        },
      });
      await queue.publishEvent(pinged('t', 1));
      await queue.publishEvent(createEnvelope(message(Ponged, 't', { n: 2 })));
      await eventually(async () => expect(await queue.listDeadLetters(consumer)).toHaveLength(2));
      fixed = true;
      expect(await queue.purgeDeadLetters(consumer, { type: Ponged.type })).toBe(1);
      expect((await queue.listDeadLetters(consumer)).map((d) => d.messageType)).toEqual([Pinged.type]);
      expect(await queue.replayDeadLetters(consumer)).toBe(1);
      await eventually(() => expect(seen.map((m) => m.type)).toEqual([Pinged.type]));
      await quiesce();
      expect(seen).toHaveLength(1);
    });

    it('keeps per-key order when asked, even while an earlier message of the key is retried', async () => {
      const random = mulberry32(7);
      const handled: Array<[string, number]> = [];
      const running = new Map<string, number>();
      let mostAtOnce = 0;
      let failedOnce = false;
      await queue.subscribeToEvents({
        consumer: consumerName('ordered'),
        types: [Pinged.type],
        orderedByKey: true,
        handler: async (m) => {
          const { n } = Pinged.schema.parse(m.payload);
          running.set(m.key, (running.get(m.key) ?? 0) + 1);
          mostAtOnce = Math.max(mostAtOnce, running.get(m.key) ?? 0);
          try {
            // Uneven handler times, so a transport that ignores keys would interleave.
            for (let i = Math.floor(random() * 4); i > 0; i -= 1) await new Promise((resolve) => setImmediate(resolve));
            if (m.key === 'a' && n === 3 && !failedOnce) {
              failedOnce = true;
              throw new RetryableError('conflict');
            }
            handled.push([m.key, n]);
          } finally {
            running.set(m.key, (running.get(m.key) ?? 1) - 1);
          }
        },
      });
      for (let n = 1; n <= 10; n += 1) {
        await queue.publishEvent(pinged('a', n));
        await queue.publishEvent(pinged('b', n));
      }
      await eventually(() => expect(handled).toHaveLength(20));
      const order = (key: string): number[] => handled.filter(([k]) => k === key).map(([, n]) => n);
      expect(order('a')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(order('b')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(mostAtOnce).toBe(1);
      expect(failedOnce).toBe(true);
    });

    it('keeps a consumer’s events while it is away and delivers them when it returns', async () => {
      const consumer = consumerName('returning');
      const { seen, handler } = recorder();
      const unsubscribe = await queue.subscribeToEvents({ consumer, types: [Pinged.type], handler });
      await unsubscribe();
      const sent = [pinged('t', 1), pinged('t', 2)];
      for (const m of sent) await queue.publishEvent(m);
      await quiesce();
      expect(seen).toEqual([]);
      await queue.subscribeToEvents({ consumer, types: [Pinged.type], handler });
      await eventually(() => expect(seen.map((m) => m.messageId)).toEqual(sent.map((m) => m.messageId)));
    });

    it('on close, lets the handler in flight finish, delivers nothing more, and refuses publishes', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started: number[] = [];
      const finished: number[] = [];
      await queue.subscribeToCommands({
        consumer: consumerName('closing'),
        types: [DoWork.type],
        orderedByKey: true,
        handler: async (m) => {
          const { n } = DoWork.schema.parse(m.payload);
          started.push(n);
          await gate;
          finished.push(n);
        },
      });
      try {
        await queue.publishCommand(doWork('t', 1));
        await queue.publishCommand(doWork('t', 2));
        await eventually(() => expect(started).toEqual([1]));
        let closed = false;
        const closing = queue.close().then(() => (closed = true));
        await new Promise((resolve) => setImmediate(resolve));
        expect(closed).toBe(false);
        release();
        await closing;
      } finally {
        release();
      }
      expect(finished).toEqual([1]);
      expect(started).toEqual([1]);
      await expect(queue.publishCommand(doWork('t', 3))).rejects.toThrow();
    });
  });
}
