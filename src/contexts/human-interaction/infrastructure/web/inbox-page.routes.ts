import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { NotificationInbox } from '../../application/queries/notification-inbox.service';
import type { TaskQueries } from '../../application/queries/task-queries.service';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { NotificationActionLinks } from '../links/notification-action-links';
import { field, formBody } from './form-fields';
import { type InboxFilter, inboxPage } from './views/inbox-page';
import type { WebAuth } from './web-auth';
import { sendPage } from './web-errors';
import type { WebPages } from './web-pages';

/** `?show=all` lists every notification; anything else (none, a typo) what still needs the person. */
const filterOf = (value: unknown): InboxFilter => (value === 'all' ? 'all' : 'needs-me');

/** /inbox: the signed-in person's notifications, each with its state and (while it needs them) its action links, and their tasks. */
@injectable()
export class InboxPage implements WebPages {
  constructor(
    @inject(HUMAN_INTERACTION.NotificationInbox) private readonly inbox: NotificationInbox,
    @inject(HUMAN_INTERACTION.TaskQueries) private readonly queries: TaskQueries,
    @inject(HUMAN_INTERACTION.NotificationLinks) private readonly notificationLinks: NotificationActionLinks,
  ) {}

  register(app: FastifyInstance, auth: WebAuth): void {
    const guarded = { preHandler: auth.requireUser };

    app.get('/', guarded, async (request, reply) => {
      const user = auth.of(request);
      const filter = filterOf((request.query as { show?: unknown } | undefined)?.show);
      const [entries, tasks] = await Promise.all([this.inbox.list(user), this.queries.listTasks(user)]);
      const notifications = entries.map((entry) => ({
        entry,
        links: entry.standing.state === 'needs-you' ? this.notificationLinks.tokensFor(entry.notification) : [],
      }));
      return sendPage(reply, 200, inboxPage({ user, notifications, tasks, filter }));
    });

    // The same-origin and form-body checks of every /inbox POST apply (human-interaction.web.ts).
    app.post('/notifications/read-all', guarded, async (request, reply) => {
      await this.inbox.markAllRead(auth.of(request));
      const filter = filterOf(field(formBody(request.body), 'show'));
      return reply
        .code(303)
        .header('location', filter === 'all' ? '/inbox?show=all' : '/inbox')
        .send();
    });
  }
}
