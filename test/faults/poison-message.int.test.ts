import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { message } from '../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../src/shared/messaging/envelope';
import { RetryableError } from '../../src/shared/kernel/errors';
import type { RetryPolicy } from '../../src/shared/kernel/retry';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { eventually } from '../support/eventually';
import { BrokerAdmin, consumerQueueNames, RABBITMQ_URL, readyMessages } from './support/broker';
import { faultRegistry, RecordEffect } from './support/fault-contracts';
import { reportFigures } from './support/figures';
import { WarningWatch } from './support/warnings';

const SENT = 20;
const POISON = 7;
const POLICY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 5_000, multiplier: 2, jitter: 0.2 };
const CONSUMER = 'fault-test.poison';
const prefix = `refinery-fault-${randomBytes(4).toString('hex')}`;
const [, , DLQ = ''] = consumerQueueNames(prefix, CONSUMER);

interface Attempt {
  readonly i: number;
  readonly at: number;
  readonly attempt: number;
  readonly redelivered: boolean;
}

/**
 * One message fails every time until its cause is fixed: it is retried with growing backoff
 * through the retry queue, lands in `<queue>.dlq` with the reason, does not hold the others up,
 * and after the fix an operator's replay gets it through exactly once.
 */
describe('a poison message', () => {
  let queue: RabbitMqMessageQueue;
  let warnings: WarningWatch;

  beforeAll(() => {
    warnings = WarningWatch.start();
    queue = new RabbitMqMessageQueue({ url: RABBITMQ_URL, registry: faultRegistry(), exchangePrefix: prefix, retryPolicy: POLICY, publishTimeoutMs: 5_000 });
  });

  afterAll(async () => {
    warnings.stop();
    const declared = queue.declaredTopology();
    await queue.close();
    const admin = await BrokerAdmin.open();
    await admin.deleteTopology(declared);
    await admin.close();
  });

  it('is retried with growing delays, dead-lettered with its reason, and replayed once fixed', async () => {
    const retries: Array<{ attempt: number; delayMs: number }> = [];
    const deadLettered: string[] = [];
    queue.addDeliveryObserver({
      retryScheduled: ({ attempt, delayMs }) => void retries.push({ attempt, delayMs }),
      deadLettered: ({ deadLetter }) => void deadLettered.push(deadLetter.id),
    });
    let fixed = false;
    const attempts: Attempt[] = [];
    const effects: number[] = [];
    await queue.subscribeToCommands({
      consumer: CONSUMER,
      types: [RecordEffect.type],
      handler: async (m, delivery) => {
        const { i } = RecordEffect.schema.parse(m.payload);
        attempts.push({ i, at: performance.now(), attempt: delivery?.attempt ?? 0, redelivered: delivery?.redelivered ?? false });
        if (i === POISON && !fixed) throw new RetryableError(`record ${i} is refused by the downstream service`);
        effects.push(i);
      },
    });
    await Promise.all(Array.from({ length: SENT }, (_, i) => queue.publishCommand(createEnvelope(message(RecordEffect, `key-${i}`, { i })))));

    const [deadLetter] = await eventually(
      async () => {
        const found = await queue.listDeadLetters(CONSUMER);
        expect(found).toHaveLength(1);
        return found;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(deadLetter).toMatchObject({
      consumer: CONSUMER,
      messageType: RecordEffect.type,
      errorClass: 'RetryableError',
      errorMessage: `record ${POISON} is refused by the downstream service`,
      attempts: POLICY.maxAttempts,
      message: expect.objectContaining({ payload: { i: POISON } }),
    });
    expect(deadLettered).toEqual([deadLetter?.id]);
    const admin = await BrokerAdmin.open();
    const headers = await admin.peekHeaders(DLQ).finally(() => admin.close());
    expect(headers).toMatchObject({ 'x-refinery-error-class': 'RetryableError', 'x-refinery-attempts': POLICY.maxAttempts, 'x-refinery-consumer': CONSUMER });

    // The others went through while the poison message was retried.
    expect([...effects].sort((a, b) => a - b)).toEqual(Array.from({ length: SENT }, (_, i) => i).filter((i) => i !== POISON));

    // Backoff: each delay within its jitter band around initialDelay * multiplier^(n-1), each longer than the last.
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    const delays = retries.map((r) => r.delayMs);
    delays.forEach((delay, n) => {
      const base = POLICY.initialDelayMs * POLICY.multiplier ** n;
      expect(delay).toBeGreaterThanOrEqual(base * (1 - POLICY.jitter));
      expect(delay).toBeLessThanOrEqual(base * (1 + POLICY.jitter));
    });
    // The broker held each retry for at least its delay: the handler saw the attempts that far apart.
    const poisoned = attempts.filter((a) => a.i === POISON);
    expect(poisoned.map((a) => [a.attempt, a.redelivered])).toEqual([
      [1, false],
      [2, true],
      [3, true],
      [4, true],
    ]);
    const gaps = poisoned.slice(1).map((a, n) => a.at - (poisoned[n]?.at ?? 0));
    gaps.forEach((gap, n) => expect(gap).toBeGreaterThanOrEqual(delays[n] ?? Infinity));
    // Neighbouring gaps may differ by only 20 ms (jitter) while the overhead of a round trip on a
    // busy machine varies more; first and last differ by 100 ms at least.
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? Infinity);

    // "The fix", then the operator's replay of that one dead letter.
    fixed = true;
    expect(await queue.replayDeadLetters(CONSUMER, { id: deadLetter?.id ?? '' })).toBe(1);
    await eventually(() => expect(effects).toContain(POISON), { timeoutMs: 10_000 });
    expect(attempts.at(-1)).toMatchObject({ i: POISON, attempt: 1, redelivered: false });
    expect(await queue.listDeadLetters(CONSUMER)).toEqual([]);
    expect(await readyMessages(DLQ)).toBe(0);

    const distinct = new Set(effects).size;
    reportFigures('poison-message', {
      sent: SENT,
      handled: distinct,
      redelivered: attempts.filter((a) => a.redelivered).length,
      deadLettered: deadLettered.length,
      lost: SENT - distinct,
      duplicatedEffects: effects.length - distinct,
      extra: { 'retry-delays-ms': delays.join('/'), 'attempt-gaps-ms': gaps.map((g) => Math.round(g)).join('/'), replayed: 1 },
    });
    expect(distinct).toBe(SENT);
    expect(effects).toHaveLength(SENT);
    expect(warnings.maxListenerWarnings()).toEqual([]);
  }, 60_000);
});
