import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { traceCarrierFrom, traceCarrierOf } from '../../../../shared/tracing/trace-context';
import { DELIVERY_CHANNELS, type DeliveryChannel } from '../../application/channel-preferences/channel-choice';
import {
  type ClaimedDelivery,
  type DeliveryAttempt,
  type DeliveryRecord,
  type DeliveryRepository,
  DELIVERY_STATUSES,
  type DeliveryStatus,
} from '../../application/deliver-notifications/delivery.repository';
import { NOTIFICATION_COLUMNS, toNotification } from './notification.rows';

const TABLE = 'human_interaction.deliveries';

const claimedRow = z.object({
  channel: z.enum(DELIVERY_CHANNELS),
  target: z.string(),
  attempts: z.number().int(),
  traceparent: z.string().nullish(),
  tracestate: z.string().nullish(),
});

/** A claimed row: the delivery's own columns beside its notification's (read as `toNotification` reads them). */
function toClaimed(row: unknown): ClaimedDelivery {
  const r = claimedRow.parse(row);
  const notification = toNotification(row);
  return {
    notificationId: notification.id,
    channel: r.channel,
    recipientId: notification.recipientId,
    target: r.target,
    attempts: r.attempts,
    notification,
    trace: traceCarrierFrom(r.traceparent, r.tracestate),
  };
}

const deliveryRow = z.object({
  notification_id: z.string(),
  channel: z.enum(DELIVERY_CHANNELS),
  recipient_id: z.string(),
  target: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  next_attempt_at: z.coerce.date(),
  created_at: z.coerce.date(),
  sent_at: z.coerce.date().nullable(),
});

export function toDeliveryRecord(row: unknown): DeliveryRecord {
  const r = deliveryRow.parse(row);
  return {
    notificationId: r.notification_id,
    channel: r.channel,
    recipientId: r.recipient_id,
    target: r.target,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

const DELIVERY_COLUMNS = 'notification_id, channel, recipient_id, target, status, attempts, last_error, next_attempt_at, created_at, sent_at';

export class PostgresDeliveryRepository implements DeliveryRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(
    notification: { readonly id: string; readonly recipientId: string },
    targets: ReadonlyArray<{ readonly channel: DeliveryChannel; readonly target: string }>,
    now: Date,
  ): Promise<number> {
    let inserted = 0;
    // The trace of the step that created the notification: the delivery worker's send continues it.
    const trace = traceCarrierOf();
    for (const { channel, target } of targets) {
      const { rows } = await execute(
        this.manager,
        `INSERT INTO ${TABLE} (notification_id, channel, recipient_id, target, status, attempts, next_attempt_at, created_at, traceparent, tracestate)
       VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING notification_id`,
        [notification.id, channel, notification.recipientId, target, now, trace?.traceparent ?? null, trace?.tracestate ?? null],
      );
      inserted += rows.length;
    }
    return inserted;
  }

  /** One autocommit statement; SKIP LOCKED lets several processes claim side by side. */
  async claimDue(now: Date, leaseUntil: Date, limit: number, owner?: string): Promise<ClaimedDelivery[]> {
    const { rows } = await execute(
      this.manager,
      `WITH claimed AS (
       UPDATE ${TABLE} SET attempts = attempts + 1, next_attempt_at = $2, lease_owner = $4
       WHERE (notification_id, channel) IN (
         SELECT notification_id, channel FROM ${TABLE}
         WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING notification_id, channel, target, attempts, traceparent, tracestate)
     SELECT c.channel, c.target, c.attempts, c.traceparent, c.tracestate, ${NOTIFICATION_COLUMNS.map((column) => `n.${column}`).join(', ')}
     FROM claimed c JOIN human_interaction.notifications n ON n.id = c.notification_id
     ORDER BY c.notification_id, c.channel`,
      [now, leaseUntil, limit, owner ?? null],
    );
    return rows.map(toClaimed);
  }

  async markSent(attempt: DeliveryAttempt, at: Date): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET status = 'sent', sent_at = $4, last_error = NULL, lease_owner = NULL
     WHERE notification_id = $1 AND channel = $2 AND attempts = $3 AND status = 'pending' RETURNING notification_id`,
      [attempt.notificationId, attempt.channel, attempt.attempts, at],
    );
    return rows.length === 1;
  }

  async scheduleRetry(attempt: DeliveryAttempt, nextAttemptAt: Date, error: string): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET next_attempt_at = $4, last_error = $5, lease_owner = NULL
     WHERE notification_id = $1 AND channel = $2 AND attempts = $3 AND status = 'pending' RETURNING notification_id`,
      [attempt.notificationId, attempt.channel, attempt.attempts, nextAttemptAt, error],
    );
    return rows.length === 1;
  }

  async markFailed(attempt: DeliveryAttempt, error: string): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET status = 'failed', last_error = $4, lease_owner = NULL
     WHERE notification_id = $1 AND channel = $2 AND attempts = $3 AND status = 'pending' RETURNING notification_id`,
      [attempt.notificationId, attempt.channel, attempt.attempts, error],
    );
    return rows.length === 1;
  }

  async releaseLeasesOf(owner: string, now: Date): Promise<number> {
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET next_attempt_at = $2, lease_owner = NULL WHERE lease_owner = $1 AND status = 'pending' RETURNING notification_id`,
      [owner, now],
    );
    return rows.length;
  }

  async list(status: DeliveryStatus, limit: number): Promise<DeliveryRecord[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT ${DELIVERY_COLUMNS} FROM ${TABLE} WHERE status = $1 ORDER BY created_at DESC, notification_id, channel LIMIT $2`,
      [status, limit],
    );
    return rows.map(toDeliveryRecord);
  }

  async find(notificationId: string, channel: DeliveryChannel): Promise<DeliveryRecord | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${DELIVERY_COLUMNS} FROM ${TABLE} WHERE notification_id = $1 AND channel = $2`, [
      notificationId,
      channel,
    ]);
    return rows.length === 0 ? undefined : toDeliveryRecord(rows[0]);
  }

  async retryFailed(which: { readonly notificationId: string; readonly channel: DeliveryChannel } | 'all', now: Date): Promise<number> {
    const named = which === 'all' ? null : which;
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_owner = NULL
     WHERE status = 'failed' AND ($2::text IS NULL OR (notification_id = $2 AND channel = $3)) RETURNING notification_id`,
      [now, named?.notificationId ?? null, named?.channel ?? null],
    );
    return rows.length;
  }
}
