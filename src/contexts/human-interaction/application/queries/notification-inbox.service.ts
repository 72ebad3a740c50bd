import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { NotificationNotFoundError } from '../../domain/human-interaction.errors';
import type { Notification } from '../../domain/notification';
import type { TaskView } from '../../domain/task-view';
import type { User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositories, HumanInteractionRepositoryFactory } from '../repositories';
import { type NotificationStanding, type NotificationState, notificationState, type TaskProgress } from './notification-state';

const LIST_LIMIT = 100;

/** A notification with what it is now (needs you, done, superseded, task finished) and its task's status. */
export interface InboxEntry {
  readonly notification: Notification;
  readonly standing: NotificationStanding;
  /** The task's status now; null for a notification about no task. */
  readonly taskStatus: TaskView['status'] | null;
}

function progressOf(view: TaskView, latestPrdVersion: number | undefined): TaskProgress {
  const history = view.snapshot?.history ?? [];
  return {
    status: view.status,
    version: view.version,
    prdVersion: view.snapshot?.prdVersion ?? null,
    latestPrdVersion: latestPrdVersion ?? null,
    questionRounds: history.filter((t) => t.to === 'CLARIFICATION_NEEDED').map((t) => t.version),
  };
}

async function standingsOf(repositories: HumanInteractionRepositories, notifications: readonly Notification[]): Promise<InboxEntry[]> {
  const taskIds = [...new Set(notifications.flatMap((n) => (n.taskId === null ? [] : [n.taskId])))];
  const [views, latest] = await Promise.all([Promise.all(taskIds.map((id) => repositories.taskViews.find(id))), repositories.prdViews.latestVersions(taskIds)]);
  const progress = new Map<string, { view: TaskView; progress: TaskProgress }>();
  for (const view of views) if (view) progress.set(view.taskId, { view, progress: progressOf(view, latest.get(view.taskId)) });
  return notifications.map((notification) => {
    const task = notification.taskId === null ? undefined : progress.get(notification.taskId);
    return { notification, standing: notificationState(notification, task?.progress), taskStatus: task?.view.status ?? null };
  });
}

/** A person's in-app inbox. Nobody reads or marks another person's notifications. */
@injectable()
export class NotificationInbox {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(SHARED.Clock) private readonly clock: Clock,
  ) {}

  /** Newest first, each with its state now; only those in `state` when given. */
  list(user: User, state?: NotificationState): Promise<InboxEntry[]> {
    return this.unitOfWork.read(async (s) => {
      const repositories = this.repositories(s);
      const entries = await standingsOf(repositories, await repositories.notifications.listOf(user.id, LIST_LIMIT));
      return state === undefined ? entries : entries.filter((e) => e.standing.state === state);
    });
  }

  /** The person has seen the task (its page, or one of its links): its notifications to them are read. */
  markTaskRead(userId: string, taskId: string): Promise<number> {
    return this.unitOfWork.read((s) => this.repositories(s).notifications.markTaskRead(userId, taskId, this.clock.now()));
  }

  /** Every unread notification of the person is read; the number marked. */
  markAllRead(user: User): Promise<number> {
    return this.unitOfWork.read((s) => this.repositories(s).notifications.markAllRead(user.id, this.clock.now()));
  }

  async markRead(user: User, notificationId: string): Promise<InboxEntry> {
    return this.unitOfWork.read(async (s) => {
      const repositories = this.repositories(s);
      const updated = await repositories.notifications.markRead(notificationId, user.id, this.clock.now());
      if (!updated) throw new NotificationNotFoundError(notificationId);
      const [entry] = await standingsOf(repositories, [updated]);
      if (!entry) throw new NotificationNotFoundError(notificationId);
      return entry;
    });
  }
}
