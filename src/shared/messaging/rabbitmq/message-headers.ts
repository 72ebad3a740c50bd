import { randomUUID } from 'node:crypto';
import type { Message, Options } from 'amqplib';
import { z } from 'zod';
import { envelopeField } from '../envelope';
import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../message-tracing';
import { type TraceCarrier, traceCarrierFrom } from '../../tracing/trace-context';
import type { DeadLetter } from '../message-queue';

export const HEADER = {
  causationId: 'causationId',
  key: 'key',
  /** Failed deliveries before this copy was published (retry copies carry it). */
  attempts: 'x-refinery-attempts',
  firstFailedAt: 'x-refinery-first-failed-at',
  lastFailedAt: 'x-refinery-last-failed-at',
  errorClass: 'x-refinery-error-class',
  errorMessage: 'x-refinery-error-message',
  consumer: 'x-refinery-consumer',
  deadLetterId: 'x-refinery-dead-letter-id',
  /** Set on the copy that started over once its attempts were used up (see `startOverOnceAfterMs`). */
  startedOver: 'x-refinery-started-over',
} as const;

/** Set by the broker on a delivery; never carried over into a message we publish again. */
const BROKER_HEADERS = [
  'x-death',
  'x-delivery-count',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-refinery-publish-id',
];
const FAILURE_HEADERS: readonly string[] = [
  HEADER.attempts,
  HEADER.firstFailedAt,
  HEADER.lastFailedAt,
  HEADER.errorClass,
  HEADER.errorMessage,
  HEADER.consumer,
  HEADER.deadLetterId,
];

const count = z.coerce.number().int().nonnegative().catch(0);
const text = z.string().optional().catch(undefined);

export function headersOf(message: Message): Record<string, unknown> {
  const headers: unknown = message.properties.headers;
  return typeof headers === 'object' && headers !== null ? { ...headers } : {};
}

export function headerText(message: Message, name: string): string | undefined {
  return text.parse(headersOf(message)[name]);
}

/** The ordering key: from the body (first publishes carry no headers), or an older copy's header. */
export function orderingKeyOf(message: Message, body: unknown): string | undefined {
  const key = envelopeField(body, 'key');
  return key !== undefined && key.length > 0 ? key : headerText(message, HEADER.key);
}

/**
 * The number of this delivery, 1 for the first. We count failures ourselves, in a header of the
 * retry copies we publish, instead of reading the broker's `x-death`: since 3.13 the broker no
 * longer updates an `x-death` that a client republished, so its count stops at 1. Redeliveries
 * after a lost consumer count too (quorum queues say how many), so a message that kills its
 * process every time still ends in the dead-letter queue.
 */
export function attemptOf(message: Message): number {
  const headers = headersOf(message);
  const failedBefore = headers[HEADER.attempts] === undefined ? 0 : count.parse(headers[HEADER.attempts]);
  const deliveryCount = headers['x-delivery-count'];
  const redeliveries = deliveryCount === undefined ? (message.fields.redelivered ? 1 : 0) : count.parse(deliveryCount);
  return failedBefore + redeliveries + 1;
}

/** Whether this message already started over once after using up its attempts. */
export function hasStartedOver(message: Message): boolean {
  return headersOf(message)[HEADER.startedOver] !== undefined;
}

/** The properties of a copy of `message` (retry, dead letter, replay), without broker headers. */
export function copyProperties(message: Message, headers: Record<string, unknown>, dropFailureHeaders = false): Options.Publish {
  const dropped = new Set([...BROKER_HEADERS, ...(dropFailureHeaders ? FAILURE_HEADERS : [])]);
  const kept = Object.fromEntries(Object.entries(headersOf(message)).filter(([name]) => !dropped.has(name)));
  const { properties } = message;
  return {
    persistent: true,
    contentType: properties.contentType === undefined ? 'application/json' : String(properties.contentType),
    ...(properties.messageId === undefined ? {} : { messageId: String(properties.messageId) }),
    ...(properties.correlationId === undefined ? {} : { correlationId: String(properties.correlationId) }),
    ...(properties.type === undefined ? {} : { type: String(properties.type) }),
    ...(properties.timestamp === undefined ? {} : { timestamp: Number(properties.timestamp) }),
    headers: { ...kept, ...headers },
  };
}

export interface FailureRecord {
  readonly consumer: string;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
}

export function deadLetterHeaders(failure: FailureRecord, id: string = randomUUID()): Record<string, unknown> {
  return {
    [HEADER.deadLetterId]: id,
    [HEADER.consumer]: failure.consumer,
    [HEADER.errorClass]: failure.errorClass,
    // Headers are capped by the frame size; an error message has no business being that long.
    [HEADER.errorMessage]: failure.errorMessage.slice(0, 4_000),
    [HEADER.attempts]: failure.attempts,
    [HEADER.firstFailedAt]: failure.firstFailedAt,
    [HEADER.lastFailedAt]: failure.lastFailedAt,
  };
}

/** The body as JSON when it is JSON; otherwise its text, so a broken message can still be shown. */
export function parseBody(content: Buffer): unknown {
  const body = content.toString('utf8');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

export function typeOf(message: Message, body: unknown): string {
  if (typeof message.properties.type === 'string') return message.properties.type;
  return envelopeField(body, 'type') ?? '';
}

/** Reads a message of a dead-letter queue back into the transport-neutral form. */
export function toDeadLetter(consumer: string, message: Message): DeadLetter {
  const headers = headersOf(message);
  const body = parseBody(message.content);
  const at = text.parse(headers[HEADER.lastFailedAt]) ?? new Date(0).toISOString();
  return {
    id: text.parse(headers[HEADER.deadLetterId]) ?? String(message.properties.messageId ?? ''),
    consumer: text.parse(headers[HEADER.consumer]) ?? consumer,
    message: body,
    messageType: typeOf(message, body),
    errorClass: text.parse(headers[HEADER.errorClass]) ?? 'unknown',
    errorMessage: text.parse(headers[HEADER.errorMessage]) ?? '',
    attempts: count.parse(headers[HEADER.attempts]),
    firstFailedAt: text.parse(headers[HEADER.firstFailedAt]) ?? at,
    lastFailedAt: at,
  };
}

/** AMQP properties of a first publish, read from the envelope (or whatever an unchecked publish sends). */
export function envelopeProperties(raw: unknown): Options.Publish {
  const occurredAt = Date.parse(envelopeField(raw, 'occurredAt') ?? '');
  const messageId = envelopeField(raw, 'messageId');
  const correlationId = envelopeField(raw, 'correlationId');
  const type = envelopeField(raw, 'type');
  return {
    persistent: true,
    contentType: 'application/json',
    ...(messageId === undefined ? {} : { messageId }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(type === undefined ? {} : { type }),
    ...(Number.isNaN(occurredAt) ? {} : { timestamp: Math.floor(occurredAt / 1000) }),
    // No headers table on a first publish: causationId and key are in the body already, and
    // amqplib's encoding of any headers table costs ~10 µs a message (bench/README.md).
  };
}

/**
 * The headers table carrying a publish's trace context; none without one (tracing off), which
 * keeps the first publish free of a headers table. Retry, dead-letter and replay copies keep it.
 */
export function traceHeaders(trace: TraceCarrier | undefined): Pick<Options.Publish, 'headers'> {
  if (trace === undefined) return {};
  return { headers: { [TRACEPARENT_HEADER]: trace.traceparent, ...(trace.tracestate ? { [TRACESTATE_HEADER]: trace.tracestate } : {}) } };
}

/** The trace context a delivery carries; undefined without one, or when it is malformed. */
export function traceCarrierOfMessage(message: Message): TraceCarrier | undefined {
  const headers = headersOf(message);
  return traceCarrierFrom(headers[TRACEPARENT_HEADER], headers[TRACESTATE_HEADER]);
}
