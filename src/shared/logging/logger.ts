import pino from 'pino';

export type Logger = pino.Logger;

/** JSON lines on stdout; every line about a message carries its correlationId and messageId. */
export function createLogger(level: string = 'info', name = 'refinery'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.password', '*.token', '*.authorization', 'headers.authorization', 'databaseUrl', 'rabbitmqUrl'], censor: '[redacted]' },
  });
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
