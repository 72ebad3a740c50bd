import { message } from '../../../../shared/messaging/contract-registry';
import { deterministicId } from '../../../../shared/messaging/envelope';
import type { Transaction } from '../../../../shared/persistence/unit-of-work';
import { NotificationCreated, type NotificationKind } from '../../contracts';
import { type Alert, ALERT_KIND_SPECS, type AlertPhase } from '../../domain/alert';
import type { AvailableChannels } from '../channel-preferences/channel-choice';
import { recordDeliveries } from '../deliver-notifications/record-deliveries';
import type { HumanInteractionRepositories } from '../repositories';

/** Each recipient's notification of one phase of one episode: told once, wherever the cause repeats. */
export function alertNotificationId(alert: string, phase: AlertPhase, recipientId: string): string {
  return deterministicId('alert-notification', alert, phase, recipientId);
}

export interface AlertTelling {
  readonly alert: Alert;
  readonly phase: AlertPhase;
  /** The task's version the notification is about; null for an alert about no task. */
  readonly taskVersion: number | null;
  readonly subject: string;
  readonly recipients: readonly string[];
}

/**
 * Tells each recipient about one phase of an alert episode, in the caller's transaction: an in-app
 * notification (about the alert's task, or about none) and a delivery on each channel they chose,
 * through the same path as every other notification. Returns the notifications created (0 for
 * recipients told before).
 */
export async function tellAlert(
  tx: Transaction,
  repositories: HumanInteractionRepositories,
  channels: AvailableChannels,
  telling: AlertTelling,
): Promise<number> {
  const { alert, phase, taskVersion, subject, recipients } = telling;
  const spec = ALERT_KIND_SPECS[alert.kind];
  const kind: NotificationKind | null = phase === 'raised' ? spec.raised : spec.resolved;
  if (kind === null) return 0;
  let created = 0;
  for (const recipientId of recipients) {
    const id = alertNotificationId(alert.id, phase, recipientId);
    const inserted = await repositories.notifications.insert({
      id,
      recipientId,
      taskId: alert.taskId,
      taskVersion: alert.taskId === null ? null : taskVersion,
      kind,
      subject: subject.length > 300 ? `${subject.slice(0, 299)}…` : subject,
      questions: null,
      prdVersion: null,
      createdAt: tx.now,
      readAt: null,
    });
    if (!inserted) continue;
    created += 1;
    await repositories.alerts.linkNotification(id, alert.id, phase, recipientId);
    await recordDeliveries(repositories, { id, recipientId }, channels, tx.now);
    const payload = { notificationId: id, taskId: alert.taskId, recipientId, kind, createdAt: tx.now.toISOString() };
    // Keyed by what the alert is about: the task, or the context without a worker.
    tx.outbox.add(message(NotificationCreated, alert.taskId ?? alert.subject, payload, deterministicId('notification-created', id)));
  }
  return created;
}
