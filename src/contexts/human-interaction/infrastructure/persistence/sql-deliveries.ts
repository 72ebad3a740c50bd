import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { DELIVERY_CHANNELS, type DeliveryChannel } from '../../application/channel-preferences/channel-choice';
import type { Notification } from '../../domain/notification';
import { NOTIFICATION_COLUMNS, toNotification } from './sql-notifications';

const TABLE = 'human_interaction.deliveries';

/** A delivery this worker holds until `next_attempt_at` (its lease); `attempts` counts this one. */
export interface ClaimedDelivery {
  readonly notificationId: string;
  readonly channel: DeliveryChannel;
  readonly recipientId: string;
  readonly target: string;
  readonly attempts: number;
  readonly notification: Notification;
}

/** Identifies one attempt: a worker whose lease ran out (another took the row) changes nothing. */
export type DeliveryAttempt = Pick<ClaimedDelivery, 'notificationId' | 'channel' | 'attempts'>;

const claimedRow = z.object({ channel: z.enum(DELIVERY_CHANNELS), target: z.string(), attempts: z.number().int() });

/** A claimed row: the delivery's own columns beside its notification's (read as `toNotification` reads them). */
function toClaimed(row: unknown): ClaimedDelivery {
  const r = claimedRow.parse(row);
  const notification = toNotification(row);
  return { notificationId: notification.id, channel: r.channel, recipientId: notification.recipientId, target: r.target, attempts: r.attempts, notification };
}

/**
 * One row per notification and channel, due at once. The notification id is derived from the
 * state entry, so the scanner asking again finds the rows and adds none.
 */
export async function insertDeliveries(
  manager: EntityManager,
  notification: { readonly id: string; readonly recipientId: string },
  targets: ReadonlyArray<{ readonly channel: DeliveryChannel; readonly target: string }>,
  now: Date,
): Promise<number> {
  let inserted = 0;
  for (const { channel, target } of targets) {
    const { rows } = await execute(
      manager,
      `INSERT INTO ${TABLE} (notification_id, channel, recipient_id, target, status, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) ON CONFLICT DO NOTHING RETURNING notification_id`,
      [notification.id, channel, notification.recipientId, target, now],
    );
    inserted += rows.length;
  }
  return inserted;
}

/**
 * Claims up to `limit` due deliveries in one autocommit statement: each counts an attempt and is
 * leased until `leaseUntil` (a worker that dies mid-send leaves it due again then). SKIP LOCKED
 * lets several processes claim side by side without taking the same row.
 */
export async function claimDueDeliveries(manager: EntityManager, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  const { rows } = await execute(
    manager,
    `WITH claimed AS (
       UPDATE ${TABLE} SET attempts = attempts + 1, next_attempt_at = $2
       WHERE (notification_id, channel) IN (
         SELECT notification_id, channel FROM ${TABLE}
         WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING notification_id, channel, target, attempts)
     SELECT c.channel, c.target, c.attempts, ${NOTIFICATION_COLUMNS.map((column) => `n.${column}`).join(', ')}
     FROM claimed c JOIN human_interaction.notifications n ON n.id = c.notification_id
     ORDER BY c.notification_id, c.channel`,
    [now, leaseUntil, limit],
  );
  return rows.map(toClaimed);
}

export async function markDeliverySent(manager: EntityManager, attempt: DeliveryAttempt, at: Date): Promise<boolean> {
  const { rows } = await execute(
    manager,
    `UPDATE ${TABLE} SET status = 'sent', sent_at = $4, last_error = NULL
     WHERE notification_id = $1 AND channel = $2 AND attempts = $3 AND status = 'pending' RETURNING notification_id`,
    [attempt.notificationId, attempt.channel, attempt.attempts, at],
  );
  return rows.length === 1;
}

export async function scheduleDeliveryRetry(manager: EntityManager, attempt: DeliveryAttempt, nextAttemptAt: Date, error: string): Promise<boolean> {
  const { rows } = await execute(
    manager,
    `UPDATE ${TABLE} SET next_attempt_at = $4, last_error = $5
     WHERE notification_id = $1 AND channel = $2 AND attempts = $3 AND status = 'pending' RETURNING notification_id`,
    [attempt.notificationId, attempt.channel, attempt.attempts, nextAttemptAt, error],
  );
  return rows.length === 1;
}

export async function markDeliveryFailed(manager: EntityManager, attempt: DeliveryAttempt, error: string): Promise<boolean> {
  const { rows } = await execute(
    manager,
    `UPDATE ${TABLE} SET status = 'failed', last_error = $4
     WHERE notification_id = $1 AND channel = $2 AND attempts = $3 AND status = 'pending' RETURNING notification_id`,
    [attempt.notificationId, attempt.channel, attempt.attempts, error],
  );
  return rows.length === 1;
}

// ---- Operators: see deliveries, and send failed ones again ----

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery as an operator sees it; `target` is the full address (callers decide what to show). */
export interface DeliveryRecord {
  readonly notificationId: string;
  readonly channel: DeliveryChannel;
  readonly recipientId: string;
  readonly target: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
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

function toDeliveryRecord(row: unknown): DeliveryRecord {
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

/** Deliveries in one status, newest first (ties in a fixed order, so pages do not shuffle). */
export async function listDeliveries(manager: EntityManager, status: DeliveryStatus, limit: number): Promise<DeliveryRecord[]> {
  const { rows } = await execute(
    manager,
    `SELECT ${DELIVERY_COLUMNS} FROM ${TABLE} WHERE status = $1 ORDER BY created_at DESC, notification_id, channel LIMIT $2`,
    [status, limit],
  );
  return rows.map(toDeliveryRecord);
}

export async function findDelivery(manager: EntityManager, notificationId: string, channel: DeliveryChannel): Promise<DeliveryRecord | undefined> {
  const { rows } = await execute(manager, `SELECT ${DELIVERY_COLUMNS} FROM ${TABLE} WHERE notification_id = $1 AND channel = $2`, [notificationId, channel]);
  return rows.length === 0 ? undefined : toDeliveryRecord(rows[0]);
}

/**
 * Makes failed deliveries due again with a fresh set of attempts: one named delivery, or every
 * failed one. Only `failed` rows change (a pending or sent one is left to the worker), and
 * `last_error` stays until the next attempt records its own outcome. Returns how many changed.
 */
export async function retryFailedDeliveries(
  manager: EntityManager,
  which: { readonly notificationId: string; readonly channel: DeliveryChannel } | 'all',
  now: Date,
): Promise<number> {
  const named = which === 'all' ? null : which;
  const { rows } = await execute(
    manager,
    `UPDATE ${TABLE} SET status = 'pending', attempts = 0, next_attempt_at = $1
     WHERE status = 'failed' AND ($2::text IS NULL OR (notification_id = $2 AND channel = $3)) RETURNING notification_id`,
    [now, named?.notificationId ?? null, named?.channel ?? null],
  );
  return rows.length;
}
