import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';

export type Logger = pino.Logger;

/** The active span's ids (W3C form), so a log line leads to its trace; nothing when no span is active. */
function traceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * JSON lines on stdout; every line about a message carries its correlationId and messageId, and
 * a line written while a span is active (tracing on) its `trace_id` and `span_id`.
 */
export function createLogger(level: string = 'info', name = 'refinery', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    mixin: traceFields,
    redact: { paths: ['*.password', '*.token', '*.authorization', 'headers.authorization', 'databaseUrl', 'rabbitmqUrl'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
