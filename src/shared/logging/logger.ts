import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';
import { scrubUrls, serializeErr } from './log-secrets';

export type Logger = pino.Logger;

/** The configuration's secret-bearing variables, redacted should a config object ever be logged. */
const CONFIG_SECRETS = ['LINK_SECRET', 'WEBHOOK_SECRET', 'SMTP_URL', 'DATABASE_URL', 'RABBITMQ_URL', 'REFINERY_USERS', 'LLM_API_KEY'];

/** The active span's ids (W3C form), so a log line leads to its trace; nothing when no span is active. */
function traceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * JSON lines on stdout; every line about a message carries its correlationId and messageId, and
 * a line written while a span is active (tracing on) its `trace_id` and `span_id`. No secret:
 * `err` / `error` go through `serializeErr` (no query parameters of a database error, every URL
 * cut to scheme, host and port), the message text is cleaned of URLs the same way, and
 * password/token/authorization fields are redacted.
 */
export function createLogger(level: string = 'info', name = 'refinery', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    mixin: traceFields,
    serializers: { err: serializeErr, error: serializeErr },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubUrls(arg) : arg)) as Parameters<typeof method>);
      },
    },
    redact: {
      paths: [
        '*.password',
        '*.token',
        '*.authorization',
        'headers.authorization',
        'databaseUrl',
        'rabbitmqUrl',
        ...CONFIG_SECRETS,
        ...CONFIG_SECRETS.map((key) => `*.${key}`),
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
