import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export interface RecordedSpans {
  /** Every span ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  named(name: string): ReadableSpan[];
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Registers a tracer provider that keeps ended spans in memory, for the test file that calls it
 * (jest gives each file its own globals), as src/shared/tracing/tracing.ts does with an exporter.
 */
export function recordSpans(): RecordedSpans {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    named: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
    reset: () => exporter.reset(),
    stop: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export const parentIdOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
export const traceIdOf = (span: ReadableSpan): string => span.spanContext().traceId;
export const spanIdOf = (span: ReadableSpan): string => span.spanContext().spanId;
