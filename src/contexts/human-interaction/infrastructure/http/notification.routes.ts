import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { InboxEntry, NotificationInbox } from '../../application/queries/notification-inbox.service';
import type { Notification } from '../../domain/notification';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { NotificationActionLinks } from '../links/notification-action-links';
import type { ApiRoutes } from './api-routes';
import type { RequestUsers } from './bearer-auth';
import { parseInput } from './http-errors';
import { notificationListQuery, notificationParams } from './request-schemas';
import { taskLink } from './task.routes';

/** Where the recipient acts on a notification: the links depend on what it asks of them, and only while it still needs them. */
function linksFor(n: Notification, needsYou: boolean): Record<string, string> {
  const read = `/api/notifications/${encodeURIComponent(n.id)}/read`;
  // An alert about no task (a context without a live worker): the workers, for an admin.
  if (n.taskId === null) return { workers: '/api/admin/workers', read };
  const task = taskLink(n.taskId);
  const links: Record<string, string> = { task, read };
  if (!needsYou) return links;
  if (n.kind === 'clarification-requested') links['answer'] = `${task}/answers`;
  if (n.kind === 'prd-ready-for-review') {
    links['approve'] = `${task}/approve`;
    links['reject'] = `${task}/reject`;
  }
  return links;
}

function present({ notification: n, standing, taskStatus }: InboxEntry, links: NotificationActionLinks) {
  const needsYou = standing.state === 'needs-you';
  return {
    id: n.id,
    taskId: n.taskId,
    taskVersion: n.taskVersion,
    kind: n.kind,
    subject: n.subject,
    questions: n.questions,
    prdVersion: n.prdVersion,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
    state: standing.state,
    ...(standing.supersededBy !== undefined ? { supersededBy: standing.supersededBy } : {}),
    taskStatus,
    links: linksFor(n, needsYou),
    /** Signed one-click links for a browser (GET shows what it does, its form acts once), the same its email and webhook carry; none once it needs nobody. */
    actions: needsYou ? links.urlsFor(n) : {},
  };
}

/** The caller's in-app inbox (`/api/notifications`). */
@injectable()
export class NotificationRoutes implements ApiRoutes {
  constructor(
    @inject(HUMAN_INTERACTION.NotificationInbox) private readonly inbox: NotificationInbox,
    @inject(HUMAN_INTERACTION.NotificationLinks) private readonly links: NotificationActionLinks,
  ) {}

  register(app: FastifyInstance, users: RequestUsers): void {
    app.get('/notifications', async (request) => {
      const { state } = parseInput(notificationListQuery, request.query ?? {}, 'query');
      return { notifications: (await this.inbox.list(users.of(request), state)).map((n) => present(n, this.links)) };
    });

    app.post('/notifications/read-all', async (request) => ({ marked: await this.inbox.markAllRead(users.of(request)) }));

    app.post('/notifications/:notificationId/read', async (request) => {
      const { notificationId } = parseInput(notificationParams, request.params, 'notificationId');
      return { notification: present(await this.inbox.markRead(users.of(request), notificationId), this.links) };
    });
  }
}
