import { trace } from '@opentelemetry/api';
import { samplerFrom, startTracing, tracingRequested } from '../../../src/shared/tracing/tracing';

describe('tracing set-up from the standard OTEL_* variables', () => {
  it('is requested only by an OTLP endpoint, and OTEL_SDK_DISABLED=true overrides it', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
  });

  it('starts nothing without an endpoint: spans stay the API’s non-recording no-ops', async () => {
    const tracing = startTracing({ OTEL_SERVICE_NAME: 'ignored' }, ['task-management']);
    expect(tracing.enabled).toBe(false);
    const span = trace.getTracer('test').startSpan('anything');
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
  });

  it('samples every trace by default, respecting a parent’s decision', () => {
    expect(samplerFrom({}).toString()).toBe(
      'ParentBased{root=AlwaysOnSampler, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}',
    );
    expect(samplerFrom({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }).toString()).toMatch(
      /^ParentBased\{root=TraceIdRatioBased\{0\.1\}/,
    );
    expect(samplerFrom({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
  });

  it('refuses an unknown sampler or a ratio outside 0..1, naming the variable', () => {
    expect(() => samplerFrom({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER must be one of/);
    expect(() => samplerFrom({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_BSP_SCHEDULE_DELAY: 'soon' }, [])).toThrow(
      /OTEL_BSP_SCHEDULE_DELAY/,
    );
  });
});
