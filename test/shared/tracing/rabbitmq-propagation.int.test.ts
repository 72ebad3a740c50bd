import { randomUUID } from 'node:crypto';
import { SpanKind, trace } from '@opentelemetry/api';
import { connect } from 'amqplib';
import { z } from 'zod';
import { ContractRegistry, defineContract, message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../src/shared/messaging/envelope';
import { RabbitMqMessageQueue } from '../../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { BrokerAdmin, RABBITMQ_URL } from '../../support/broker-admin';
import { eventually } from '../../support/eventually';
import { parentIdOf, recordSpans, spanIdOf, traceIdOf } from '../../support/recorded-spans';

const prefix = `refinery-trace-test-${randomUUID().slice(0, 8)}`;
const Noted = defineContract('trace-test.noted.v1', 'event', z.object({ n: z.number().int() }));
const registry = new ContractRegistry().register(Noted);
const noted = (n: number): Envelope => createEnvelope(message(Noted, `task-${n}`, { n }));
const CONSUMER = 'trace-test.recorder';

const recorded = recordSpans();
let queue: RabbitMqMessageQueue;
/** Per message id, the trace and span its handler ran in. */
const seen = new Map<string, { traceId: string; spanId: string }>();

beforeAll(async () => {
  queue = new RabbitMqMessageQueue({
    url: RABBITMQ_URL,
    registry,
    exchangePrefix: prefix,
    queueType: 'classic',
    retryPolicy: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20, multiplier: 2, jitter: 0 },
  });
  await queue.start();
  await queue.subscribeToEvents({
    consumer: CONSUMER,
    types: [Noted.type],
    handler: async (m) => {
      const active = trace.getActiveSpan()?.spanContext();
      if (active) seen.set(m.messageId, { traceId: active.traceId, spanId: active.spanId });
    },
  });
});

afterAll(async () => {
  await queue.close();
  const admin = await BrokerAdmin.open();
  await admin.deleteTopology(queue.declaredTopology());
  await admin.close();
  await recorded.stop();
});

/** Publishes straight to the exchange, as another producer (or an older Refinery) would. */
async function publishRaw(envelope: Envelope, headers?: Record<string, unknown>): Promise<void> {
  const model = await connect(RABBITMQ_URL);
  const channel = await model.createConfirmChannel();
  channel.publish(`${prefix}.events`, envelope.type, Buffer.from(JSON.stringify(envelope)), {
    persistent: true,
    contentType: 'application/json',
    messageId: envelope.messageId,
    ...(headers ? { headers } : {}),
  });
  await channel.waitForConfirms();
  await model.close();
}

const processSpanOf = (messageId: string) => recorded.named(`process ${Noted.type}`).find((span) => span.attributes['messaging.message.id'] === messageId);

describe('trace propagation on RabbitMQ', () => {
  it('handles a message published inside a span in a process span, child of its send span, in the same trace', async () => {
    const envelope = noted(1);
    const request = await trace.getTracer('test').startActiveSpan('POST /api/tasks', { kind: SpanKind.SERVER }, async (span) => {
      await queue.publishEvent(envelope);
      span.end();
      return span.spanContext();
    });
    const handledIn = await eventually(async () => {
      const found = seen.get(envelope.messageId);
      if (!found) throw new Error('not handled yet');
      return found;
    });
    const processed = await eventually(async () => processSpanOf(envelope.messageId) ?? Promise.reject(new Error('no process span yet')));
    const send = recorded.named(`send ${Noted.type}`).find((span) => span.attributes['messaging.message.id'] === envelope.messageId);
    expect(send).toBeDefined();
    if (!send) return;
    expect(traceIdOf(send)).toBe(request.traceId);
    expect(parentIdOf(send)).toBe(request.spanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': `${prefix}.events`,
      'messaging.rabbitmq.destination.routing_key': Noted.type,
      'messaging.operation.type': 'send',
      'messaging.message.conversation_id': envelope.correlationId,
    });
    expect(traceIdOf(processed)).toBe(request.traceId);
    expect(parentIdOf(processed)).toBe(spanIdOf(send));
    expect(processed.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.consumer.group.name': CONSUMER, 'messaging.operation': 'process' });
    expect(handledIn).toEqual({ traceId: request.traceId, spanId: spanIdOf(processed) });
  });

  it.each([
    ['without trace headers', undefined],
    ['with a malformed traceparent', { traceparent: '00-not-a-trace-01', tracestate: 'x=1' }],
    ['with a traceparent that is not text', { traceparent: 42 }],
  ])('handles a message %s in a span that starts a new trace, and never dead-letters it', async (_, headers) => {
    const envelope = noted(2);
    await publishRaw(envelope, headers);
    const processed = await eventually(async () => processSpanOf(envelope.messageId) ?? Promise.reject(new Error('no process span yet')));
    expect(parentIdOf(processed)).toBeUndefined();
    expect(seen.get(envelope.messageId)?.traceId).toBe(traceIdOf(processed));
    expect(processed.status.code).not.toBe(2);
    expect(await queue.listDeadLetters(CONSUMER)).toEqual([]);
  });
});
