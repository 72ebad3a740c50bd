import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { NotificationNotFoundError } from '../../domain/human-interaction.errors';
import type { Notification } from '../../domain/notification';
import type { User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';

const LIST_LIMIT = 100;

/** A person's in-app inbox. Nobody reads or marks another person's notifications. */
@injectable()
export class NotificationInbox {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  list(user: User): Promise<Notification[]> {
    return this.unitOfWork.read((s) => this.repositories(s).notifications.listOf(user.id, LIST_LIMIT));
  }

  /** The person has seen the task (its page, or one of its links): its notifications to them are read. */
  markTaskRead(userId: string, taskId: string): Promise<number> {
    return this.unitOfWork.read((s) => this.repositories(s).notifications.markTaskRead(userId, taskId, this.clock.now()));
  }

  async markRead(user: User, notificationId: string): Promise<Notification> {
    const updated = await this.unitOfWork.read((s) => this.repositories(s).notifications.markRead(notificationId, user.id, this.clock.now()));
    if (!updated) throw new NotificationNotFoundError(notificationId);
    return updated;
  }
}
