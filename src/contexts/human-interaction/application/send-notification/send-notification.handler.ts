import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import { message } from '../../../../shared/messaging/contract-registry';
import { deterministicId, type Envelope } from '../../../../shared/messaging/envelope';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { NotificationCreated, SendNotification } from '../../contracts';
import { AwaitingPrecedingMessageError } from '../../../../shared/kernel/errors';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { AvailableChannels } from '../channel-preferences/channel-choice';
import { availableChannels } from '../channel-preferences/channel-preferences.service';
import { recordDeliveries } from '../deliver-notifications/record-deliveries';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import { FINAL_NOTIFICATION_KINDS } from '../../domain/notification.repository';
import { confirmIfSettled } from '../settle-finished-task/settle-finished-task';

export const COMMANDS_CONSUMER = 'human-interaction.commands';

/**
 * Puts a notification in the recipient's inbox and records its email / webhook deliveries. The
 * notification id is derived from the task state entry, so the scanner asking again (a re-drive)
 * finds it there and announces (and delivers) nothing new.
 */
@injectable()
export class SendNotificationHandler {
  private readonly channels: AvailableChannels;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
  ) {
    this.channels = availableChannels(options);
  }

  async handle(command: Envelope): Promise<void> {
    const n = SendNotification.schema.parse(command.payload);
    await this.unitOfWork.handleOnce(COMMANDS_CONSUMER, command, async (tx) => {
      const repositories = this.repositories(tx);
      // The notification and the task events travel on different queues. A person who follows
      // a notification must find the task page in that state (or their answer gets a 409), so
      // the notification waits, by retrying, until the view has caught up with it.
      const view = await repositories.taskViews.find(n.taskId);
      if (!view || view.version < n.taskVersion) {
        throw new AwaitingPrecedingMessageError(`task ${n.taskId} view is at version ${view?.version ?? 'none'}; notification is for version ${n.taskVersion}`);
      }
      if (n.prdVersion !== undefined && !(await repositories.prdViews.has(n.taskId, n.prdVersion))) {
        throw new AwaitingPrecedingMessageError(`PRD version ${n.prdVersion} of task ${n.taskId} has not arrived yet`);
      }
      const created = await repositories.notifications.insert({
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
      // Email and webhook go out from the delivery worker, after this commits: never in the way.
      await recordDeliveries(repositories, { id: n.notificationId, recipientId: n.recipientId }, this.channels, tx.now);
      const payload = { notificationId: n.notificationId, taskId: n.taskId, recipientId: n.recipientId, kind: n.kind, createdAt: tx.now.toISOString() };
      tx.outbox.add(message(NotificationCreated, n.taskId, payload, deterministicId('notification-created', n.notificationId)));
      if (FINAL_NOTIFICATION_KINDS.includes(n.kind)) await confirmIfSettled(tx, repositories, n.taskId);
    });
  }
}
