import type { NotificationKind } from '../contracts';

/** One message in a person's in-app inbox. Its id comes from the command, so it exists once. */
export interface Notification {
  readonly id: string;
  readonly recipientId: string;
  readonly taskId: string;
  readonly taskVersion: number;
  readonly kind: NotificationKind;
  readonly subject: string;
  readonly questions: readonly string[] | null;
  readonly prdVersion: number | null;
  readonly createdAt: Date;
  readonly readAt: Date | null;
}
