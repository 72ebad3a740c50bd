import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { NotificationInbox } from '../../application/queries/notification-inbox.service';
import type { TaskQueries } from '../../application/queries/task-queries.service';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { NotificationActionLinks } from '../links/notification-action-links';
import { inboxPage } from './views/inbox-page';
import type { WebAuth } from './web-auth';
import { sendPage } from './web-errors';
import type { WebPages } from './web-pages';

/** /inbox: the signed-in person's notifications, each with its action links, and their tasks. */
@injectable()
export class InboxPage implements WebPages {
  constructor(
    @inject(HUMAN_INTERACTION.NotificationInbox) private readonly inbox: NotificationInbox,
    @inject(HUMAN_INTERACTION.TaskQueries) private readonly queries: TaskQueries,
    @inject(HUMAN_INTERACTION.NotificationLinks) private readonly notificationLinks: NotificationActionLinks,
  ) {}

  register(app: FastifyInstance, auth: WebAuth): void {
    app.get('/', { preHandler: auth.requireUser }, async (request, reply) => {
      const user = auth.of(request);
      const [notifications, tasks] = await Promise.all([this.inbox.list(user), this.queries.listTasks(user)]);
      const withLinks = notifications.map((notification) => ({ notification, links: this.notificationLinks.tokensFor(notification) }));
      return sendPage(reply, 200, inboxPage({ user, notifications: withLinks, tasks }));
    });
  }
}
