import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from './sql';

/** One consumer's inbox entry for a message: it was handled there, at that time. */
export interface MessageHandling {
  readonly consumer: string;
  readonly at: Date;
}

/** A message the outbox wrote about one key (a task id), and where it was handled. */
export interface TrailMessage {
  readonly messageId: string;
  readonly type: string;
  readonly kind: 'event' | 'command';
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly createdAt: Date;
  /** Null while the relay has not published it. */
  readonly sentAt: Date | null;
  readonly attempts: number;
  readonly lastError: string | null;
  /** Set aside by the relay: it can never be published (its reason is `lastError`). */
  readonly abandoned: boolean;
  readonly handledBy: readonly MessageHandling[];
  /** The W3C trace id the message was written in (the traces of one request share it); null when untraced. */
  readonly traceId: string | null;
}

/**
 * What the shared messaging tables know about the messages of one task, for operators: the outbox
 * rows written with its key, in order, and the inbox rows of the consumers that handled each one.
 * Both are pruned by retention (MESSAGING_RETENTION_*), so an old task's trail is only its recent part.
 */
export interface MessageTrail {
  messagesAbout(key: string, limit: number): Promise<TrailMessage[]>;
  /** The keys of messages that carry this correlation id (at most `limit`). */
  keysWithCorrelation(correlationId: string, limit: number): Promise<string[]>;
}

const outboxRow = z.object({
  message_id: z.string(),
  type: z.string(),
  kind: z.enum(['event', 'command']),
  correlation_id: z.string().nullable(),
  causation_id: z.string().nullable(),
  created_at: z.coerce.date(),
  sent_at: z.coerce.date().nullable(),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  abandoned: z.boolean(),
  traceparent: z.string().nullable(),
});
const inboxRow = z.object({ message_id: z.string(), consumer: z.string(), handled_at: z.coerce.date() });

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`), or null. */
function traceIdOf(traceparent: string | null): string | null {
  const id = traceparent?.split('-')[1];
  return id && /^[0-9a-f]{32}$/.test(id) ? id : null;
}

export class PostgresMessageTrail implements MessageTrail {
  constructor(private readonly manager: EntityManager) {}

  async messagesAbout(key: string, limit: number): Promise<TrailMessage[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT message_id::text AS message_id, type, kind, envelope->>'correlationId' AS correlation_id, envelope->>'causationId' AS causation_id,
              created_at, sent_at, attempts, last_error, abandoned, traceparent
         FROM messaging.outbox WHERE message_key = $1 ORDER BY id LIMIT $2`,
      [key, limit],
    );
    const messages = rows.map((r) => outboxRow.parse(r));
    if (messages.length === 0) return [];
    const handled = await execute(
      this.manager,
      `SELECT message_id::text AS message_id, consumer, handled_at FROM messaging.inbox WHERE message_id = ANY($1::uuid[]) ORDER BY handled_at`,
      [messages.map((m) => m.message_id)],
    );
    const byMessage = new Map<string, MessageHandling[]>();
    for (const row of handled.rows.map((r) => inboxRow.parse(r))) {
      byMessage.set(row.message_id, [...(byMessage.get(row.message_id) ?? []), { consumer: row.consumer, at: row.handled_at }]);
    }
    return messages.map((m) => ({
      messageId: m.message_id,
      type: m.type,
      kind: m.kind,
      correlationId: m.correlation_id,
      causationId: m.causation_id,
      createdAt: m.created_at,
      sentAt: m.sent_at,
      attempts: m.attempts,
      lastError: m.last_error,
      abandoned: m.abandoned,
      handledBy: byMessage.get(m.message_id) ?? [],
      traceId: traceIdOf(m.traceparent),
    }));
  }

  async keysWithCorrelation(correlationId: string, limit: number): Promise<string[]> {
    const { rows } = await execute(this.manager, `SELECT DISTINCT message_key FROM messaging.outbox WHERE envelope->>'correlationId' = $1 LIMIT $2`, [
      correlationId,
      limit,
    ]);
    return rows.map((r) => z.object({ message_key: z.string() }).parse(r).message_key);
  }
}
