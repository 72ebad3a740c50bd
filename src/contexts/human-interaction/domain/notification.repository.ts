import type { NotificationKind } from '../contracts';
import type { Notification } from './notification';

/** The notification orchestration sends when a task finishes, one per finished state. */
export const FINAL_NOTIFICATION_KINDS: readonly NotificationKind[] = ['task-approved', 'task-cancelled', 'task-failed'];

/** Where the in-app inbox lives. */
export interface NotificationRepository {
  /** Returns false when a notification with this id exists already: one per recipient and state entry. */
  insert(notification: Notification): Promise<boolean>;
  /** Newest first. */
  listOf(recipientId: string, limit: number): Promise<Notification[]>;
  /** Marks it read once (the first read time stays); undefined when it is not the recipient's. */
  markRead(id: string, recipientId: string, at: Date): Promise<Notification | undefined>;
  /** Whether the task's final notification (approved, cancelled, failed) for `taskVersion` is here. */
  hasFinal(taskId: string, taskVersion: number): Promise<boolean>;
  /** Marks every unread notification of a task for its recipient read; the number marked. */
  markTaskRead(recipientId: string, taskId: string, at: Date): Promise<number>;
  /** Marks every unread notification of the recipient read; the number marked. */
  markAllRead(recipientId: string, at: Date): Promise<number>;
}
