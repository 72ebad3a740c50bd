import { inject, injectable } from 'inversify';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import { NotificationNotFoundError } from '../../domain/human-interaction.errors';
import type { Notification } from '../../domain/notification';
import type { User } from '../../domain/user';
import { listNotificationsOf, markNotificationRead, markTaskNotificationsRead } from '../../infrastructure/persistence/sql-notifications';

const LIST_LIMIT = 100;

/** A person's in-app inbox. Nobody reads or marks another person's notifications. */
@injectable()
export class NotificationInbox {
  constructor(
    @inject(SHARED.DataSource) private readonly dataSource: DataSource,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  list(user: User): Promise<Notification[]> {
    return listNotificationsOf(this.dataSource.manager, user.id, LIST_LIMIT);
  }

  /** The person has seen the task (its page, or one of its links): its notifications to them are read. */
  markTaskRead(userId: string, taskId: string): Promise<number> {
    return markTaskNotificationsRead(this.dataSource.manager, userId, taskId, this.clock.now());
  }

  async markRead(user: User, notificationId: string): Promise<Notification> {
    const updated = await markNotificationRead(this.dataSource.manager, notificationId, user.id, this.clock.now());
    if (!updated) throw new NotificationNotFoundError(notificationId);
    return updated;
  }
}
