import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import { message } from '../../../../shared/messaging/contract-registry';
import { deterministicId, type Envelope } from '../../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { NotificationCreated, SendNotification } from '../../contracts';
import { insertNotification } from '../../infrastructure/persistence/sql-notifications';

export const COMMANDS_CONSUMER = 'human-interaction.commands';

/**
 * Puts a notification in the recipient's inbox. The notification id is derived from the task
 * state entry, so the scanner asking again (a re-drive) finds it there and announces nothing new.
 */
@injectable()
export class SendNotificationHandler {
  constructor(@inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork) {}

  async handle(command: Envelope): Promise<void> {
    const n = SendNotification.schema.parse(command.payload);
    await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, command, async (tx) => {
      const created = await insertNotification(tx.manager, {
        id: n.notificationId,
        recipientId: n.recipientId,
        taskId: n.taskId,
        taskVersion: n.taskVersion,
        kind: n.kind,
        subject: n.subject,
        questions: n.questions ?? null,
        prdVersion: n.prdVersion ?? null,
        createdAt: tx.now,
        readAt: null,
      });
      if (!created) return;
      const payload = { notificationId: n.notificationId, taskId: n.taskId, recipientId: n.recipientId, kind: n.kind, createdAt: tx.now.toISOString() };
      tx.outbox.add(message(NotificationCreated, n.taskId, payload, deterministicId('notification-created', n.notificationId)));
    });
  }
}
