import type { TracedMessage } from '../tracing/spans';
import { envelopeField } from './envelope';

/**
 * How the transports propagate W3C trace context, the same on each: a publish runs in a
 * `send <type>` producer span, child of the context active at the call (the outbox relay makes a
 * row's stored context active), and the message travels with that span's `traceparent` and
 * `tracestate` (RabbitMQ: AMQP headers; in-memory: next to the envelope); each delivery's handler
 * runs in a `process <type>` consumer span, child of that `send` span. A message without trace
 * context, or with a malformed one, is handled in a span that starts a new trace: trace context
 * never decides a message's fate.
 */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';
/** `messaging.system` of the in-memory transport's spans (no registered value: there is no broker). */
export const IN_MEMORY_SYSTEM = 'refinery.in-memory';
export const RABBITMQ_SYSTEM = 'rabbitmq';

/** What a span says about anything that claims to be an envelope (an unchecked publish may not be one). */
export function tracedMessage(raw: unknown): TracedMessage {
  const messageId = envelopeField(raw, 'messageId');
  const correlationId = envelopeField(raw, 'correlationId');
  const key = envelopeField(raw, 'key');
  return {
    type: envelopeField(raw, 'type') ?? 'unknown',
    ...(messageId === undefined ? {} : { messageId }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(key === undefined ? {} : { key }),
  };
}
