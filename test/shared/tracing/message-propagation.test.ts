import { type Span, SpanKind, trace } from '@opentelemetry/api';
import { z } from 'zod';
import { systemClock } from '../../../src/shared/kernel/clock';
import { createLogger, silentLogger } from '../../../src/shared/logging/logger';
import { ContractRegistry, defineContract, message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../src/shared/messaging/envelope';
import { InMemoryMessageQueue } from '../../../src/shared/messaging/in-memory/in-memory-message-queue';
import type { Database } from '../../../src/shared/persistence/data-source';
import { OutboxRelay } from '../../../src/shared/persistence/outbox/outbox-relay';
import { UnitOfWork } from '../../../src/shared/persistence/unit-of-work';
import { traceProcess } from '../../../src/shared/tracing/spans';
import { contextFromCarrier, parseTraceparent, traceCarrierFrom } from '../../../src/shared/tracing/trace-context';
import { openTestDatabase } from '../../support/database';
import { parentIdOf, recordSpans, spanIdOf, traceIdOf } from '../../support/recorded-spans';

const Noted = defineContract('trace-test.noted.v1', 'event', z.object({ n: z.number().int() }));
const registry = new ContractRegistry().register(Noted);
const noted = (n: number): Envelope => createEnvelope(message(Noted, `task-${n}`, { n }));

const recorded = recordSpans();
afterAll(() => recorded.stop());
beforeEach(() => recorded.reset());

/** Runs `work` in a span standing for the HTTP request that starts a workflow. */
function inRequestSpan<T>(work: (span: Span) => Promise<T>): Promise<T> {
  return trace.getTracer('test').startActiveSpan('POST /api/tasks', { kind: SpanKind.SERVER }, async (span) => {
    try {
      return await work(span);
    } finally {
      span.end();
    }
  });
}

/** A consumer that records the span its handler ran in, per message id. */
async function recordingConsumer(queue: InMemoryMessageQueue): Promise<Map<string, { traceId: string; spanId: string }>> {
  const seen = new Map<string, { traceId: string; spanId: string }>();
  await queue.subscribeToEvents({
    consumer: 'trace-test.recorder',
    types: [Noted.type],
    handler: async (m) => {
      const active = trace.getActiveSpan()?.spanContext();
      if (active) seen.set(m.messageId, { traceId: active.traceId, spanId: active.spanId });
    },
  });
  return seen;
}

describe('trace propagation on the in-memory transport', () => {
  it('handles a message published inside a span in a process span, child of its send span, in the same trace', async () => {
    const queue = new InMemoryMessageQueue({ registry });
    const seen = await recordingConsumer(queue);
    const envelope = noted(1);
    const request = await inRequestSpan(async (span) => {
      await queue.publishEvent(envelope);
      return span.spanContext();
    });
    await queue.whenIdle();

    const [send] = recorded.named(`send ${Noted.type}`);
    const [processed] = recorded.named(`process ${Noted.type}`);
    expect(send && processed).toBeDefined();
    if (!send || !processed) return;
    expect(traceIdOf(send)).toBe(request.traceId);
    expect(parentIdOf(send)).toBe(request.spanId);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(traceIdOf(processed)).toBe(request.traceId);
    expect(parentIdOf(processed)).toBe(spanIdOf(send));
    expect(processed.kind).toBe(SpanKind.CONSUMER);
    // The handler ran inside the process span: what it does (a transaction, a publish) is its child.
    expect(seen.get(envelope.messageId)).toEqual({ traceId: request.traceId, spanId: spanIdOf(processed) });
    expect(processed.attributes).toMatchObject({
      'messaging.system': 'refinery.in-memory',
      'messaging.destination.name': 'trace-test.recorder',
      'messaging.operation': 'process',
      'messaging.operation.type': 'process',
      'messaging.message.id': envelope.messageId,
      'messaging.message.conversation_id': envelope.correlationId,
      'messaging.consumer.group.name': 'trace-test.recorder',
    });
    expect(send.attributes).toMatchObject({ 'messaging.operation': 'publish', 'messaging.operation.type': 'send', 'messaging.message.id': envelope.messageId });
    await queue.close();
  });

  it('starts a new trace for each message published outside any trace', async () => {
    const queue = new InMemoryMessageQueue({ registry });
    const seen = await recordingConsumer(queue);
    const [first, second] = [noted(2), noted(3)];
    await queue.publishEvent(first);
    await queue.publishEvent(second);
    await queue.whenIdle();

    const sends = recorded.named(`send ${Noted.type}`);
    expect(sends).toHaveLength(2);
    for (const send of sends) expect(parentIdOf(send)).toBeUndefined();
    const [a, b] = [seen.get(first.messageId), seen.get(second.messageId)];
    expect(a?.traceId).toBeDefined();
    expect(b?.traceId).toBeDefined();
    expect(a?.traceId).not.toBe(b?.traceId);
    await queue.close();
  });

  it('keeps the trace across retries: every attempt is a process span under the one send span', async () => {
    const queue = new InMemoryMessageQueue({ registry, retryPolicy: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, jitter: 0 } });
    let calls = 0;
    await queue.subscribeToEvents({
      consumer: 'trace-test.flaky',
      types: [Noted.type],
      handler: async () => {
        calls += 1;
        if (calls === 1) throw new Error('first attempt fails');
      },
    });
    await inRequestSpan(() => queue.publishEvent(noted(4)));
    await queue.whenIdle();

    const [send] = recorded.named(`send ${Noted.type}`);
    const attempts = recorded.named(`process ${Noted.type}`);
    expect(attempts.map((span) => span.attributes['refinery.delivery.attempt'])).toEqual([1, 2]);
    for (const span of attempts) expect(send && parentIdOf(span) === spanIdOf(send) && traceIdOf(span) === traceIdOf(send)).toBe(true);
    expect(attempts[0]?.status.code).toBe(2); // ERROR
    await queue.close();
  });
});

describe('trace context read from a carrier', () => {
  it('accepts a valid traceparent and its tracestate', () => {
    const carrier = traceCarrierFrom('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'congo=t61rcWkgMzE');
    expect(carrier).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'congo=t61rcWkgMzE' });
    expect(trace.getSpanContext(contextFromCarrier(carrier))).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      isRemote: true,
    });
  });

  it.each([
    ['not a traceparent'],
    ['00-00000000000000000000000000000000-b7ad6b7169203331-01'], // all-zero trace id
    ['00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'], // all-zero span id
    ['ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'], // forbidden version
    ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra'], // version 00 has four fields
    ['00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01'], // upper case
  ])('ignores the malformed traceparent %s', (traceparent) => {
    expect(parseTraceparent(traceparent)).toBeUndefined();
    expect(traceCarrierFrom(traceparent)).toBeUndefined();
    expect(trace.getSpanContext(contextFromCarrier({ traceparent }))).toBeUndefined();
  });

  it('handles a delivery with a malformed traceparent in a span of a new trace, and the handler still runs', async () => {
    let ran = false;
    await traceProcess(
      { type: Noted.type, messageId: 'm-1' },
      { traceparent: '00-zz-yy-01' },
      { system: 'test', destination: 'q', consumer: 'q' },
      async () => {
        ran = true;
      },
    );
    expect(ran).toBe(true);
    const [span] = recorded.named(`process ${Noted.type}`);
    expect(span && parentIdOf(span)).toBeUndefined();
  });
});

describe('trace propagation through the outbox', () => {
  let db: Database;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await openTestDatabase();
    uow = new UnitOfWork(db.dataSource, registry, systemClock);
  });
  afterAll(() => db.close());

  it('stores the writing transaction’s trace context with the row; the relay’s send span and the handler continue it', async () => {
    const queue = new InMemoryMessageQueue({ registry });
    const seen = await recordingConsumer(queue);
    const relay = new OutboxRelay(db.dataSource, queue, silentLogger(), { batchSize: 10, pollIntervalMs: 10 });
    const outgoing = message(Noted, 'task-5', { n: 5 });
    const request = await inRequestSpan(async (span) => {
      await uow.run(async (tx) => tx.outbox.add(outgoing));
      return span.spanContext();
    });
    const [transaction] = recorded.named('transaction');
    expect(transaction && parentIdOf(transaction)).toBe(request.spanId);
    const [row] = await db.dataSource.query<Array<{ traceparent: string | null; message_id: string }>>(
      `SELECT traceparent, message_id FROM messaging.outbox WHERE sent_at IS NULL`,
    );
    expect(row?.traceparent).toBe(`00-${request.traceId}-${transaction ? spanIdOf(transaction) : ''}-01`);

    // Later, from the relay's loop: no span is active there.
    expect(await relay.relayOnce()).toBe(1);
    await queue.whenIdle();
    const [send] = recorded.named(`send ${Noted.type}`);
    const [processed] = recorded.named(`process ${Noted.type}`);
    expect(send && transaction && parentIdOf(send) === spanIdOf(transaction)).toBe(true);
    expect(processed && send && parentIdOf(processed) === spanIdOf(send)).toBe(true);
    expect(seen.get(row?.message_id ?? '')?.traceId).toBe(request.traceId);
    await queue.close();
  });

  it('sends a row written outside any trace in a send span that starts a new trace', async () => {
    const queue = new InMemoryMessageQueue({ registry });
    await recordingConsumer(queue);
    const relay = new OutboxRelay(db.dataSource, queue, silentLogger(), { batchSize: 10, pollIntervalMs: 10 });
    await uow.run(async (tx) => tx.outbox.add(message(Noted, 'task-6', { n: 6 })));
    expect(recorded.named('transaction')).toHaveLength(0); // no trace to be part of
    const [row] = await db.dataSource.query<Array<{ traceparent: string | null }>>(`SELECT traceparent FROM messaging.outbox WHERE sent_at IS NULL`);
    expect(row?.traceparent).toBeNull();
    expect(await relay.relayOnce()).toBe(1);
    await queue.whenIdle();
    const [send] = recorded.named(`send ${Noted.type}`);
    expect(send).toBeDefined();
    expect(send && parentIdOf(send)).toBeUndefined();
    await queue.close();
  });
});

describe('log lines', () => {
  it('carry trace_id and span_id while a span is active, and neither outside one', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', 'trace-test', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    logger.info('outside');
    const inside = await inRequestSpan(async (span) => {
      logger.info('inside');
      return span.spanContext();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('span_id');
    expect(lines[1]).toMatchObject({ msg: 'inside', trace_id: inside.traceId, span_id: inside.spanId });
  });
});
