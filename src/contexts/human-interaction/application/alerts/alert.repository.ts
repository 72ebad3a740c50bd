import type { Alert, AlertPhase, AlertResolution } from '../../domain/alert';

/** Alert episodes and who was told about each. */
export interface AlertRepository {
  /**
   * Stores a new episode; false when one with its id exists already (raised once, whatever
   * repeats), or, for a context without a live worker, when that context has an open one.
   */
  insert(alert: Alert): Promise<boolean>;
  /** Unresolved episodes about `subject`, oldest first, locked until the transaction ends. */
  lockOpen(subject: string): Promise<Alert[]>;
  /** Marks it resolved once; false when it was resolved already. */
  resolve(alertId: string, at: Date, resolution: AlertResolution): Promise<boolean>;
  /** Records that `notificationId` told `recipientId` about the episode's phase. */
  linkNotification(notificationId: string, alertId: string, phase: AlertPhase, recipientId: string): Promise<void>;
  /** The people told that the episode was raised, in the order they were told. */
  recipientsOf(alertId: string): Promise<string[]>;
  /** The episode a notification is about (alert notifications only). */
  findByNotification(notificationId: string): Promise<Alert | undefined>;
  /** Unresolved episodes of a kind, oldest first (at most `limit`): what the /ops console lists. */
  listOpen(kind: Alert['kind'], limit: number): Promise<Alert[]>;
  /** One episode, locked until the transaction ends. */
  lockById(alertId: string): Promise<Alert | undefined>;
  /** Records the first request for a re-drive; false when someone asked already. */
  requestRedrive(alertId: string, at: Date, by: string): Promise<boolean>;
}
