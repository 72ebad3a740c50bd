import { type Context, context, isSpanContextValid, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

/**
 * W3C trace context as it travels: in an outbox row, in message headers, in a work item. Plain
 * strings, so nothing outside src/shared/tracing needs to know OpenTelemetry.
 */
export interface TraceCarrier {
  readonly traceparent: string;
  readonly tracestate?: string;
}

/** version-traceid-parentid-flags; a later version may append fields (W3C Trace Context, level 2). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const MAX_TRACESTATE_LENGTH = 512;

function traceparentOf(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The span active in `ctx` as a carrier; undefined when none is (tracing off: always). */
export function traceCarrierOf(ctx: Context = context.active()): TraceCarrier | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  const traceparent = traceparentOf(spanContext);
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/** Reads a carrier from what a table row or a header table holds; anything malformed gives undefined. */
export function traceCarrierFrom(traceparent: unknown, tracestate?: unknown): TraceCarrier | undefined {
  const parent = typeof traceparent === 'string' ? traceparent : Buffer.isBuffer(traceparent) ? traceparent.toString('utf8') : undefined;
  if (parent === undefined || parseTraceparent(parent) === undefined) return undefined;
  const state = typeof tracestate === 'string' ? tracestate : Buffer.isBuffer(tracestate) ? tracestate.toString('utf8') : undefined;
  return state !== undefined && state.length > 0 && state.length <= MAX_TRACESTATE_LENGTH
    ? { traceparent: parent, tracestate: state }
    : { traceparent: parent };
}

/** The remote span context a traceparent names, or undefined when it is malformed (never throws). */
export function parseTraceparent(traceparent: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version ff is forbidden; version 00 has exactly four fields.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * The context to start a span in that continues the carrier's trace; without a carrier (or with a
 * malformed one) the root context, so the span starts a new trace.
 */
export function contextFromCarrier(carrier: TraceCarrier | undefined): Context {
  if (carrier === undefined) return ROOT_CONTEXT;
  const spanContext = parseTraceparent(carrier.traceparent);
  if (spanContext === undefined) return ROOT_CONTEXT;
  let traceState;
  try {
    traceState = carrier.tracestate ? new TraceState(carrier.tracestate) : undefined;
  } catch {
    traceState = undefined;
  }
  return trace.setSpanContext(ROOT_CONTEXT, traceState ? { ...spanContext, traceState } : spanContext);
}

/** Runs `work` with the carrier's span context as the active parent (the root context without one). */
export function withTraceCarrier<T>(carrier: TraceCarrier | undefined, work: () => T): T {
  return context.with(contextFromCarrier(carrier), work);
}
