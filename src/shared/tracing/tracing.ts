import { hostname } from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, resourceAttributesEnvDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import FastifyOtelInstrumentation from '@fastify/otel';

import { type Environment, OFF, type Tracing, tracingRequested } from './tracing-settings';

export { type Tracing, tracingRequested } from './tracing-settings';

/** Requests nobody follows in a trace viewer: probes and scrapes, several a second. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

function positiveInteger(env: Environment, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

/**
 * The standard `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` (default: every trace, a
 * remote parent's decision respected). `parentbased_traceidratio` with `0.1` keeps one trace in
 * ten, whole: a trace is sampled or not at its root, and the decision travels with it.
 */
export function samplerFrom(env: Environment): Sampler {
  const name = (env['OTEL_TRACES_SAMPLER']?.trim() || 'parentbased_always_on').toLowerCase();
  if (!SAMPLERS.includes(name)) throw new Error(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  const rawRatio = env['OTEL_TRACES_SAMPLER_ARG']?.trim();
  const ratio = rawRatio ? Number(rawRatio) : 1;
  if (name.endsWith('traceidratio') && !(Number.isFinite(ratio) && ratio >= 0 && ratio <= 1))
    throw new Error('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1');
  const root = name.endsWith('always_on') ? new AlwaysOnSampler() : name.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/** Names for OTEL_NODE_DISABLED_INSTRUMENTATIONS (as @opentelemetry/auto-instrumentations-node spells them, without its prefix). */
const INSTRUMENTATIONS = ['http', 'undici', 'pg', 'fastify'] as const;

/**
 * The instrumentations of incoming HTTP (fastify), outgoing HTTP (node:http, and fetch through
 * undici) and pg, less those `OTEL_NODE_DISABLED_INSTRUMENTATIONS` names (comma-separated).
 */
function instrumentationsFor(env: Environment): Instrumentation[] {
  const disabled = new Set(
    (env['OTEL_NODE_DISABLED_INSTRUMENTATIONS'] ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name.length > 0),
  );
  for (const name of disabled) {
    if (!(INSTRUMENTATIONS as readonly string[]).includes(name))
      throw new Error(`OTEL_NODE_DISABLED_INSTRUMENTATIONS: unknown instrumentation ${name} (known: ${INSTRUMENTATIONS.join(', ')})`);
  }
  const all: Record<(typeof INSTRUMENTATIONS)[number], () => Instrumentation> = {
    // Outgoing requests only: fastify's instrumentation makes the server span of an incoming
    // one (two spans per request would cost a measurable share of the throughput).
    http: () => new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    undici: () => new UndiciInstrumentation(),
    // Only queries inside a traced unit of work: the relay's and the pollers' idle polls are noise.
    // Not a span per pool checkout either: every transaction has one, and its queries say enough.
    pg: () => new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    // The request's server span (it continues a caller's `traceparent`), named `<method> <route>`
    // as HTTP semantic conventions name a server span; no spans for the handler and each
    // lifecycle hook, which this instrumentation names after the function's source text.
    fastify: () =>
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        instrumentHandler: false,
        ignorePaths: (options) => UNTRACED_PATHS.has(options.url.split('?')[0] ?? ''),
        requestHook: (span, request) => span.updateName(request.routeOptions.url ? `${request.method} ${request.routeOptions.url}` : request.method),
      }),
  };
  return INSTRUMENTATIONS.filter((name) => !disabled.has(name)).map((name) => all[name]());
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
  // Every setting is read (and a bad one refused) before anything is registered.
  const sampler = samplerFrom(env);
  const instrumentations = instrumentationsFor(env);
  const scheduledDelayMillis = positiveInteger(env, 'OTEL_BSP_SCHEDULE_DELAY');
  const maxExportBatchSize = positiveInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  const maxQueueSize = positiveInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE');
  const processor = new BatchSpanProcessor({
    exporter: new OTLPTraceExporter(),
    ...(scheduledDelayMillis === undefined ? {} : { scheduledDelayMillis }),
    ...(maxExportBatchSize === undefined ? {} : { maxExportBatchSize }),
    ...(maxQueueSize === undefined ? {} : { maxQueueSize }),
  });
  const provider = new TracerProvider({ resource, sampler, spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations,
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
