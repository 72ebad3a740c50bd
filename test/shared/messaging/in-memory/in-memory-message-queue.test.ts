import { z } from 'zod';
import { ContractRegistry, defineContract, message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, deterministicId, type Envelope } from '../../../../src/shared/messaging/envelope';
import { RetryableError } from '../../../../src/shared/kernel/errors';
import type { FaultOptions, FaultStats } from '../../../../src/shared/messaging/in-memory/fault-injector';
import { InMemoryMessageQueue } from '../../../../src/shared/messaging/in-memory/in-memory-message-queue';
import { mulberry32 } from '../../../../src/shared/messaging/in-memory/seeded-random';
import type { RetryPolicy } from '../../../../src/shared/kernel/retry';
import { eventually } from '../../../support/eventually';
import { describeMessageQueueContract } from '../message-queue.contract';

describeMessageQueueContract('InMemoryMessageQueue', async ({ registry, retryPolicy }) => new InMemoryMessageQueue({ registry, retryPolicy }));

const Tick = defineContract('inmem-test.tick.v1', 'event', z.object({ i: z.number().int() }));
const Run = defineContract('inmem-test.run.v1', 'command', z.object({ i: z.number().int() }));
const registry = new ContractRegistry().register(Tick, Run);
const FAST: RetryPolicy = { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

const tick = (i: number): Envelope => createEnvelope(message(Tick, `task-${i % 7}`, { i }, deterministicId('tick', i)));
const run = (i: number): Envelope => createEnvelope(message(Run, `task-${i % 7}`, { i }));
const indexOf = (m: Envelope): number => Tick.schema.or(Run.schema).parse(m.payload).i;

describe('InMemoryMessageQueue', () => {
  const open: InMemoryMessageQueue[] = [];
  const newQueue = (options: Partial<ConstructorParameters<typeof InMemoryMessageQueue>[0]> = {}): InMemoryMessageQueue => {
    const queue = new InMemoryMessageQueue({ registry, retryPolicy: FAST, random: mulberry32(1), ...options });
    open.push(queue);
    return queue;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  it('schedules retries with delays that grow by the multiplier, within the jitter', async () => {
    const queue = newQueue();
    const delays: number[] = [];
    queue.addDeliveryObserver({ retryScheduled: (e) => void delays.push(e.delayMs) });
    await queue.subscribeToEvents({ consumer: 'test.failing', types: [Tick.type], handler: async () => Promise.reject(new RetryableError('down')) });
    await queue.publishEvent(tick(1));
    await queue.whenIdle();
    expect(delays).toHaveLength(FAST.maxAttempts - 1);
    delays.forEach((delay, i) => {
      const base = FAST.initialDelayMs * FAST.multiplier ** i;
      expect(delay).toBeGreaterThanOrEqual(base * (1 - FAST.jitter));
      expect(delay).toBeLessThanOrEqual(base * (1 + FAST.jitter));
      if (i > 0) expect(delay).toBeGreaterThan(delays[i - 1] as number);
    });
    expect(await queue.listDeadLetters('test.failing')).toMatchObject([{ attempts: FAST.maxAttempts }]);
  });

  it('keeps commands published before their consumer subscribed, and delivers them in order', async () => {
    const queue = newQueue();
    for (const i of [1, 2, 3]) await queue.publishCommand(run(i));
    await queue.whenIdle();
    const seen: number[] = [];
    await queue.subscribeToCommands({ consumer: 'test.late-worker', types: [Run.type], handler: async (m) => void seen.push(indexOf(m)) });
    await queue.whenIdle();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('drops events published while no consumer is bound to their type', async () => {
    const queue = newQueue();
    await queue.publishEvent(tick(1));
    const seen: number[] = [];
    await queue.subscribeToEvents({ consumer: 'test.late-listener', types: [Tick.type], handler: async (m) => void seen.push(indexOf(m)) });
    await queue.publishEvent(tick(2));
    await queue.whenIdle();
    expect(seen).toEqual([2]);
  });

  it('refuses a second consumer for a command type, and subscriptions to unknown or mis-kinded types', async () => {
    const queue = newQueue();
    const handler = async (): Promise<void> => undefined;
    await queue.subscribeToCommands({ consumer: 'test.owner', types: [Run.type], handler });
    await expect(queue.subscribeToCommands({ consumer: 'test.owner', types: [Run.type], handler })).resolves.toBeInstanceOf(Function);
    await expect(queue.subscribeToCommands({ consumer: 'test.intruder', types: [Run.type], handler })).rejects.toThrow(
      /already handled by consumer test.owner/,
    );
    await expect(queue.subscribeToEvents({ consumer: 'test.x', types: [Run.type], handler })).rejects.toThrow(/is a command/);
    await expect(queue.subscribeToEvents({ consumer: 'test.x', types: ['inmem-test.unknown.v1'], handler })).rejects.toThrow(/no contract/);
  });

  it('never has more than `prefetch` deliveries of one consumer in flight', async () => {
    const queue = newQueue({ prefetch: 3 });
    let running = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await queue.subscribeToCommands({
      consumer: 'test.busy',
      types: [Run.type],
      handler: async () => {
        running += 1;
        most = Math.max(most, running);
        await gate;
        running -= 1;
      },
    });
    for (let i = 0; i < 10; i += 1) await queue.publishCommand(run(i));
    await eventually(() => expect(running).toBe(3));
    release();
    await queue.whenIdle();
    expect(most).toBe(3);
    expect(running).toBe(0);
  });

  it('whenIdle waits for delayed publishes and scheduled retries', async () => {
    const queue = newQueue();
    await queue.whenIdle();
    const seen: number[] = [];
    let failures = 0;
    await queue.subscribeToEvents({
      consumer: 'test.patient',
      types: [Tick.type],
      handler: async (m) => {
        if (indexOf(m) === 2 && failures < 2) {
          failures += 1;
          throw new RetryableError('not yet');
        }
        seen.push(indexOf(m));
      },
    });
    await queue.publishEvent(tick(1), { delayMs: 30 });
    await queue.publishEvent(tick(2));
    await queue.whenIdle();
    expect(seen.sort()).toEqual([1, 2]);
    expect(failures).toBe(2);
  });

  it('refuses subscribes and publishes after close, and is idle', async () => {
    const queue = newQueue();
    await queue.close();
    await expect(queue.subscribeToEvents({ consumer: 'test.late', types: [Tick.type], handler: async () => undefined })).rejects.toThrow(/closed/);
    await expect(queue.publishEvent(tick(1))).rejects.toThrow(/closed/);
    await expect(queue.whenIdle()).resolves.toBeUndefined();
  });

  describe('with seeded faults', () => {
    const COUNT = 1_000;
    const byNumber = (a: number, b: number): number => a - b;
    const everyIndex = Array.from({ length: COUNT }, (_, i) => i);

    async function deliverWithFaults(faults: FaultOptions): Promise<{ delivered: number[]; stats: FaultStats; deadLetters: number }> {
      const queue = newQueue({ faults });
      const delivered: number[] = [];
      await queue.subscribeToEvents({ consumer: 'test.victim', types: [Tick.type], handler: async (m) => void delivered.push(indexOf(m)) });
      for (const i of everyIndex) await queue.publishEvent(tick(i));
      await queue.whenIdle();
      return { delivered, stats: queue.faultStats(), deadLetters: (await queue.listDeadLetters()).length };
    }

    it('drops, duplicates, delays and reorders at about the configured rates, the same way for the same seed', async () => {
      const faults: FaultOptions = { seed: 42, dropRate: 0.1, duplicateRate: 0.1, delayRate: 0.1, maxDelayMs: 20, reorderRate: 0.1 };
      const { delivered, stats, deadLetters } = await deliverWithFaults(faults);
      const kept = COUNT - stats.dropped;
      expect(stats.dropped / COUNT).toBeGreaterThan(0.06);
      expect(stats.dropped / COUNT).toBeLessThan(0.14);
      for (const share of [stats.duplicated / kept, stats.delayed / kept, stats.reordered / (kept - stats.delayed)]) {
        expect(share).toBeGreaterThan(0.06);
        expect(share).toBeLessThan(0.14);
      }
      const timesDelivered = new Map<number, number>();
      for (const i of delivered) timesDelivered.set(i, (timesDelivered.get(i) ?? 0) + 1);
      expect(timesDelivered.size).toBe(kept);
      expect([...timesDelivered.values()].filter((n) => n === 2)).toHaveLength(stats.duplicated);
      expect(deadLetters).toBe(0);

      const again = await deliverWithFaults(faults);
      expect(again.stats).toEqual(stats);
      expect([...again.delivered].sort(byNumber)).toEqual([...delivered].sort(byNumber));
    });

    it('replays the exact delivery sequence from the same seed, and another from another seed', async () => {
      const faults: FaultOptions = { seed: 7, dropRate: 0.05, duplicateRate: 0.05, reorderRate: 0.1 };
      const first = await deliverWithFaults(faults);
      const second = await deliverWithFaults(faults);
      const other = await deliverWithFaults({ ...faults, seed: 8 });
      expect(second.delivered).toEqual(first.delivered);
      expect(first.delivered).not.toEqual([...first.delivered].sort(byNumber));
      expect(other.delivered).not.toEqual(first.delivered);
    });

    it('reorders a message behind the one published after it, losing none', async () => {
      const { delivered, stats } = await deliverWithFaults({ seed: 3, reorderRate: 0.1 });
      let highest = -1;
      let overtaken = 0;
      for (const i of delivered) {
        if (i < highest) overtaken += 1;
        highest = Math.max(highest, i);
      }
      expect(stats.reordered).toBeGreaterThan(50);
      // Only a message held back at the very end has nothing to go behind.
      expect(overtaken).toBeGreaterThanOrEqual(stats.reordered - 2);
      expect(overtaken).toBeLessThanOrEqual(stats.reordered);
      expect([...delivered].sort(byNumber)).toEqual(everyIndex);
    });

    it('loses a dropped copy for that consumer only', async () => {
      const queue = newQueue({ faults: { seed: 11, dropRate: 0.3 } });
      const seen: Record<string, number[]> = { a: [], b: [] };
      for (const name of ['a', 'b'] as const) {
        await queue.subscribeToEvents({ consumer: `test.${name}`, types: [Tick.type], handler: async (m) => void seen[name]?.push(indexOf(m)) });
      }
      for (let i = 0; i < 100; i += 1) await queue.publishEvent(tick(i));
      await queue.whenIdle();
      expect(seen['a']?.length).toBeLessThan(100);
      expect(seen['a']).not.toEqual(seen['b']);
      expect((seen['a']?.length ?? 0) + (seen['b']?.length ?? 0)).toBe(200 - queue.faultStats().dropped);
    });

    it('applies faults to first deliveries only, not to retries', async () => {
      const queue = newQueue({ faults: { seed: 1, delayRate: 1, maxDelayMs: 5 } });
      let calls = 0;
      await queue.subscribeToEvents({
        consumer: 'test.retried',
        types: [Tick.type],
        handler: async () => {
          calls += 1;
          if (calls < 3) throw new RetryableError('again');
        },
      });
      await queue.publishEvent(tick(1));
      await queue.whenIdle();
      expect(calls).toBe(3);
      expect(queue.faultStats()).toEqual({ dropped: 0, duplicated: 0, delayed: 1, reordered: 0 });
    });
  });
});
