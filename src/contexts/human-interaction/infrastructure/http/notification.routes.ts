import type { FastifyInstance } from 'fastify';
import type { NotificationInbox } from '../../application/queries/notification-inbox.service';
import type { LinkAction } from '../../domain/action-link';
import type { Notification } from '../../domain/notification';
import type { RequestUsers } from './bearer-auth';
import { parseInput } from './http-errors';
import { notificationParams } from './request-schemas';
import { taskLink } from './task.routes';

export interface NotificationRouteDeps {
  readonly users: RequestUsers;
  readonly inbox: NotificationInbox;
  /** The notification's signed one-click links, absolute (the same ones its email and webhook carry). */
  readonly actionUrls: (n: Notification) => Partial<Record<LinkAction, string>>;
}

/** Where the recipient acts on a notification: the links depend on what it asks of them. */
function linksFor(n: Notification): Record<string, string> {
  const task = taskLink(n.taskId);
  const links: Record<string, string> = { task, read: `/api/notifications/${encodeURIComponent(n.id)}/read` };
  if (n.kind === 'clarification-requested') links['answer'] = `${task}/answers`;
  if (n.kind === 'prd-ready-for-review') {
    links['approve'] = `${task}/approve`;
    links['reject'] = `${task}/reject`;
  }
  return links;
}

function present(n: Notification, actionUrls: NotificationRouteDeps['actionUrls']) {
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
    links: linksFor(n),
    /** Signed one-click links for a browser (GET shows what it does, its form acts once). */
    actions: actionUrls(n),
  };
}

export function registerNotificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): void {
  app.get('/notifications', async (request) => ({ notifications: (await deps.inbox.list(deps.users.of(request))).map((n) => present(n, deps.actionUrls)) }));

  app.post('/notifications/:notificationId/read', async (request) => {
    const { notificationId } = parseInput(notificationParams, request.params, 'notificationId');
    return { notification: present(await deps.inbox.markRead(deps.users.of(request), notificationId), deps.actionUrls) };
  });
}
