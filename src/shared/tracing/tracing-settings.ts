export type Environment = Readonly<Record<string, string | undefined>>;

export interface Tracing {
  /** An SDK runs and exports spans (an OTLP endpoint is configured). */
  readonly enabled: boolean;
  /** Exports what is still buffered, then stops; safe to call more than once. */
  shutdown(): Promise<void>;
}

export const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/** Whether the standard variables ask for spans to be exported (`OTEL_SDK_DISABLED=true` wins). */
export function tracingRequested(env: Environment): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  return Boolean(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim());
}
