import type { NotificationKind } from '../contracts';

/** One message in a person's in-app inbox. Its id comes from the command, so it exists once. */
export interface Notification {
  readonly id: string;
  readonly recipientId: string;
  /** The task it is about; null for an alert about no task (a context with no live worker). */
  readonly taskId: string | null;
  readonly taskVersion: number | null;
  readonly kind: NotificationKind;
  readonly subject: string;
  readonly questions: readonly string[] | null;
  readonly prdVersion: number | null;
  readonly createdAt: Date;
  readonly readAt: Date | null;
}
