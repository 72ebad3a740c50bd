import { hostname } from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, resourceAttributesEnvDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import FastifyOtelInstrumentation from '@fastify/otel';

type Environment = Readonly<Record<string, string | undefined>>;

export interface Tracing {
  /** An SDK runs and exports spans (an OTLP endpoint is configured). */
  readonly enabled: boolean;
  /** Exports what is still buffered, then stops; safe to call more than once. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/** Requests nobody follows in a trace viewer: probes and scrapes, several a second. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/** Whether the standard variables ask for spans to be exported (`OTEL_SDK_DISABLED=true` wins). */
export function tracingRequested(env: Environment): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  return Boolean(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim());
}

function positiveInteger(env: Environment, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/**
 * Starts the OpenTelemetry SDK when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `_TRACES_ENDPOINT`) is set:
 * W3C propagation, the instrumentations of incoming HTTP (fastify), outgoing HTTP (node:http and
 * fetch/undici, which the LLM SDK uses) and pg, and OTLP/HTTP export of batches. Otherwise it
 * starts nothing: the API stays a no-op and tracing costs nothing measurable.
 *
 * Must run before fastify, pg and http are loaded: instrumentations patch modules as they load.
 * `contexts` becomes the resource attribute `refinery.contexts`, so a trace viewer tells the
 * processes apart (with `service.instance.id`, `<host>/<pid>`).
 */
export function startTracing(env: Environment, contexts: readonly string[]): Tracing {
  if (!tracingRequested(env)) return OFF;
  // OTEL_RESOURCE_ATTRIBUTES adds to (never overrides) what the process says about itself.
  const resource = detectResources({ detectors: [resourceAttributesEnvDetector] }).merge(
    resourceFromAttributes({
      'service.name': env['OTEL_SERVICE_NAME']?.trim() || 'refinery',
      'service.instance.id': `${hostname()}/${process.pid}`,
      'process.pid': process.pid,
      'refinery.contexts': contexts.join(','),
    }),
  );
  const scheduledDelayMillis = positiveInteger(env, 'OTEL_BSP_SCHEDULE_DELAY');
  const maxExportBatchSize = positiveInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  const maxQueueSize = positiveInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE');
  const processor = new BatchSpanProcessor({
    exporter: new OTLPTraceExporter(),
    ...(scheduledDelayMillis === undefined ? {} : { scheduledDelayMillis }),
    ...(maxExportBatchSize === undefined ? {} : { maxExportBatchSize }),
    ...(maxQueueSize === undefined ? {} : { maxQueueSize }),
  });
  const provider = new TracerProvider({ resource, spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? '') }),
      new UndiciInstrumentation(),
      // Only queries inside a traced unit of work: the relay's and the pollers' idle polls are noise.
      new PgInstrumentation({ requireParentSpan: true }),
      // The request span (its route and status); no spans for the handler and each lifecycle hook,
      // which this instrumentation names after the function's source text.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        instrumentHandler: false,
        ignorePaths: (options) => UNTRACED_PATHS.has(options.url),
      }),
    ],
  });
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () =>
      (stopped ??= (async () => {
        unregister();
        await provider.shutdown();
      })()),
  };
}
