import type { Notification } from './notification';

/** Where the in-app inbox lives. */
export interface NotificationRepository {
  /** Returns false when a notification with this id exists already: one per recipient and state entry. */
  insert(notification: Notification): Promise<boolean>;
  /** Newest first. */
  listOf(recipientId: string, limit: number): Promise<Notification[]>;
  /** Marks it read once (the first read time stays); undefined when it is not the recipient's. */
  markRead(id: string, recipientId: string, at: Date): Promise<Notification | undefined>;
  /** Marks every unread notification of a task for its recipient read; the number marked. */
  markTaskRead(recipientId: string, taskId: string, at: Date): Promise<number>;
}
