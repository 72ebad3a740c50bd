import type { TraceCarrier } from '../../../../shared/tracing/trace-context';
import type { Notification } from '../../domain/notification';
import type { DeliveryChannel } from '../channel-preferences/channel-choice';

/** A delivery this worker holds until `next_attempt_at` (its lease); `attempts` counts this one. */
export interface ClaimedDelivery {
  readonly notificationId: string;
  readonly channel: DeliveryChannel;
  readonly recipientId: string;
  readonly target: string;
  readonly attempts: number;
  readonly notification: Notification;
  /** The trace of the step that created the notification: the send continues it. */
  readonly trace?: TraceCarrier | undefined;
}

/** Identifies one attempt: a worker whose lease ran out (another took the row) changes nothing. */
export type DeliveryAttempt = Pick<ClaimedDelivery, 'notificationId' | 'channel' | 'attempts'>;

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

/** The email and webhook deliveries of notifications, one per notification and channel. */
export interface DeliveryRepository {
  /**
   * One row per notification and channel, due at once; the number inserted. The notification id
   * is derived from the state entry, so the scanner asking again finds the rows and adds none.
   */
  insert(
    notification: { readonly id: string; readonly recipientId: string },
    targets: ReadonlyArray<{ readonly channel: DeliveryChannel; readonly target: string }>,
    now: Date,
  ): Promise<number>;
  /**
   * Claims up to `limit` due deliveries in one statement: each counts an attempt and is leased
   * until `leaseUntil` (a worker that dies mid-send leaves it due again then) by `owner` (the
   * worker instance, null when none is given). Several processes claim side by side without
   * taking the same row. Recording an outcome clears the owner.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number, owner?: string): Promise<ClaimedDelivery[]>;
  /**
   * Deliveries claimed by `owner` (a worker instance the registry found gone) and not finished
   * are due again at `now` instead of when their lease ends. The attempt still counts; returns how many.
   */
  releaseLeasesOf(owner: string, now: Date): Promise<number>;
  /** Each of these changes the row only while `attempt` is still its latest one (false otherwise). */
  markSent(attempt: DeliveryAttempt, at: Date): Promise<boolean>;
  scheduleRetry(attempt: DeliveryAttempt, nextAttemptAt: Date, error: string): Promise<boolean>;
  markFailed(attempt: DeliveryAttempt, error: string): Promise<boolean>;

  /** Deliveries in one status, newest first (ties in a fixed order, so pages do not shuffle). */
  list(status: DeliveryStatus, limit: number): Promise<DeliveryRecord[]>;
  find(notificationId: string, channel: DeliveryChannel): Promise<DeliveryRecord | undefined>;
  /**
   * Makes failed deliveries due again with a fresh set of attempts: one named delivery, or every
   * failed one. Only `failed` rows change (a pending or sent one is left to the worker), and the
   * last error stays until the next attempt records its own outcome. Returns how many changed.
   */
  retryFailed(which: { readonly notificationId: string; readonly channel: DeliveryChannel } | 'all', now: Date): Promise<number>;
}
