import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { contextFromCarrier, type TraceCarrier, traceCarrierOf } from './trace-context';

/**
 * The tracer of everything Refinery instruments itself. Until a tracer provider is registered
 * (src/shared/tracing/tracing.ts does, only when an OTLP endpoint is configured) it is the API's
 * no-op tracer: spans cost a few function calls and record nothing.
 */
const tracer = () => trace.getTracer('refinery');

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Runs `work` in a new span (child of the active one, or of `parent`), ending it when `work` settles. */
export async function inSpan<T>(
  name: string,
  options: { readonly kind?: SpanKind; readonly attributes?: Attributes; readonly parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Like `inSpan`, but only inside a trace: without an active span `work` runs as it is. For work
 * that background loops also do every second (a transaction claiming nothing), which would
 * otherwise start a trace of its own each time.
 */
export function inChildSpan<T>(
  name: string,
  options: { readonly kind?: SpanKind; readonly attributes?: Attributes },
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  return trace.getSpan(context.active()) === undefined ? work(undefined) : inSpan(name, options, work);
}

/**
 * Runs `work` with tracing suppressed: no span is started for what it does, the instrumentations'
 * (pg) included. For a transaction's bookkeeping statements (its BEGIN and COMMIT, the inbox
 * record, the outbox insert), which every transaction runs and its own span already covers.
 * Tracing off, it is a plain call.
 */
export function untraced<T>(work: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), work);
}

/** Runs `work` in a span continuing the carrier's trace, or starting a new one without a (valid) carrier. */
export function inSpanAfter<T>(
  carrier: TraceCarrier | undefined,
  name: string,
  options: { readonly kind?: SpanKind; readonly attributes?: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return inSpan(name, { ...options, parent: contextFromCarrier(carrier) }, work);
}

/** What a span says about a message (OpenTelemetry messaging semantic conventions). */
export interface TracedMessage {
  readonly type: string;
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly key?: string;
}

export interface MessagingDestination {
  /** `rabbitmq`, or `refinery.in-memory` for the in-process transport. */
  readonly system: string;
  /** Where it is sent (the exchange) or where it was consumed from (the consumer's queue). */
  readonly destination: string;
  readonly routingKey?: string;
}

function messageAttributes(message: TracedMessage, where: MessagingDestination): Attributes {
  return {
    'messaging.system': where.system,
    'messaging.destination.name': where.destination,
    ...(where.routingKey === undefined ? {} : { 'messaging.rabbitmq.destination.routing_key': where.routingKey }),
    ...(message.messageId === undefined ? {} : { 'messaging.message.id': message.messageId }),
    ...(message.correlationId === undefined ? {} : { 'messaging.message.conversation_id': message.correlationId }),
    'refinery.message.type': message.type,
    ...(message.key === undefined ? {} : { 'refinery.task_id': message.key }),
  };
}

/**
 * A `send <type>` producer span around one publish, child of the active context (the outbox
 * relay makes the row's stored context active). `publish` gets the span's own context to carry.
 */
export function traceSend<T>(message: TracedMessage, where: MessagingDestination, publish: (carrier: TraceCarrier | undefined) => Promise<T>): Promise<T> {
  return inSpan(
    `send ${message.type}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...messageAttributes(message, where),
        'messaging.operation': 'publish',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
      },
    },
    (span) => publish(traceCarrierOf(trace.setSpan(context.active(), span))),
  );
}

/**
 * A `process <type>` consumer span around one delivery's handler, child of the `send` span the
 * carrier names; a message without (valid) trace headers starts a new trace. Never throws itself.
 */
export function traceProcess<T>(
  message: TracedMessage,
  carrier: TraceCarrier | undefined,
  where: MessagingDestination & { readonly consumer: string; readonly attempt?: number },
  handle: () => Promise<T>,
): Promise<T> {
  return inSpanAfter(
    carrier,
    `process ${message.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messageAttributes(message, where),
        'messaging.operation': 'process',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.consumer.group.name': where.consumer,
        ...(where.attempt === undefined ? {} : { 'refinery.delivery.attempt': where.attempt }),
      },
    },
    handle,
  );
}
