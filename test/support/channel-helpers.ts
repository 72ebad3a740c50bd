import { createLogger, type Logger } from '../../src/shared/logging/logger';
import type { Application } from '../../src/app/container';
import { bearer } from './app';

export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** A logger whose lines the test reads (and searches for secrets). */
export function memoryLogger(level = 'info'): { logger: Logger; lines: LogLine[]; raw: string[] } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  // The service's own logger (its serializers and redaction), writing to memory.
  const logger = createLogger(level, 'refinery', {
    write: (line: string) => {
      raw.push(line);
      lines.push(JSON.parse(line) as LogLine);
    },
  });
  return { logger, lines, raw };
}

export interface ChannelsResponse {
  readonly status: number;
  readonly body: Record<string, unknown> & { issues?: Array<{ field: string; message: string }>; message?: string };
}

/** PUT /api/me/channels as `user` (a user id from TEST_USERS, or no user at all). */
export async function putChannels(app: Application, user: string | undefined, payload: unknown): Promise<ChannelsResponse> {
  const response = await app.http.inject({ method: 'PUT', url: '/api/me/channels', headers: user ? bearer(user) : {}, payload: payload as object });
  return { status: response.statusCode, body: JSON.parse(response.body) as ChannelsResponse['body'] };
}

export async function getChannels(app: Application, user: string | undefined): Promise<ChannelsResponse> {
  const response = await app.http.inject({ method: 'GET', url: '/api/me/channels', headers: user ? bearer(user) : {} });
  return { status: response.statusCode, body: JSON.parse(response.body) as ChannelsResponse['body'] };
}

export interface DeliveryRow {
  notification_id: string;
  channel: string;
  recipient_id: string;
  target: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}

export async function deliveriesOf(app: Application, where: { notificationId?: string; recipientId?: string }): Promise<DeliveryRow[]> {
  return app.database.dataSource.query(
    `SELECT notification_id, channel, recipient_id, target, status, attempts, last_error, sent_at FROM human_interaction.deliveries
     WHERE ($1::text IS NULL OR notification_id = $1) AND ($2::text IS NULL OR recipient_id = $2) ORDER BY channel`,
    [where.notificationId ?? null, where.recipientId ?? null],
  );
}
