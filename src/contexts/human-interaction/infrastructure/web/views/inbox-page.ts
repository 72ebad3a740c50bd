import type { TaskSummary } from '../../../application/queries/task-queries.service';
import type { LinkAction } from '../../../domain/action-link';
import type { Notification } from '../../../domain/notification';
import type { User } from '../../../domain/user';
import { html, type SafeHtml } from '../html';
import type { NotificationActionLink } from '../../links/notification-action-links';
import { page } from './layout';

export interface InboxModel {
  readonly user: User;
  readonly notifications: ReadonlyArray<{ readonly notification: Notification; readonly links: readonly NotificationActionLink[] }>;
  readonly tasks: readonly TaskSummary[];
}

const ACTION_LABEL: Record<LinkAction, string> = {
  answer: 'Answer the questions',
  approve: 'Approve',
  reject: 'Reject with feedback',
  redrive: 'Re-drive now',
};

const taskHref = (taskId: string) => `/inbox/tasks/${encodeURIComponent(taskId)}`;

function notificationItem({ notification: n, links }: InboxModel['notifications'][number]): SafeHtml {
  return html`<li class="notification${n.readAt ? '' : ' unread'}" data-notification="${n.id}" data-kind="${n.kind}">
<div class="subject">${!n.readAt && html`<span class="new-marker">new</span> `}${n.subject}</div>
<div class="muted">${n.kind.replace(/-/g, ' ')} · <time datetime="${n.createdAt.toISOString()}">${n.createdAt.toISOString().replace('T', ' ').slice(0, 16)} UTC</time></div>
${n.questions && n.questions.length > 0 && html`<ul>${n.questions.map((q) => html`<li class="text">${q}</li>`)}</ul>`}
<div class="actions">${n.taskId === null ? html`<a href="/inbox/ops/workers">Open the workers page</a>` : html`<a href="${taskHref(n.taskId)}">Open the task</a>`}${links.map(
    (l) => html`<a class="action-link" data-action="${l.action}" href="/inbox/links/${l.token}">${ACTION_LABEL[l.action]}</a>`,
  )}</div>
</li>`;
}

/** A person's notifications, newest first, each with its action links (unread ones marked "new" and counted); then their tasks. */
export function inboxPage(model: InboxModel): string {
  const unread = model.notifications.filter(({ notification }) => !notification.readAt).length;
  return page(
    { title: unread > 0 ? `Inbox (${unread} new)` : 'Inbox', user: model.user },
    html`<h1>Inbox</h1>
<section class="card" id="notifications">
<h2>Notifications${unread > 0 && html` <span class="unread-count" data-unread="${unread}">${unread} new</span>`}</h2>
${model.notifications.length === 0 ? html`<p class="muted">Nothing yet.</p>` : html`<ul class="plain">${model.notifications.map(notificationItem)}</ul>`}
</section>
<section class="card" id="tasks">
<h2>Tasks</h2>
${
  model.tasks.length === 0
    ? html`<p class="muted">No tasks.</p>`
    : html`<table><thead><tr><th>Task</th><th>Status</th><th>Updated</th></tr></thead><tbody>${model.tasks.map(
        (t) =>
          html`<tr data-task="${t.taskId}"><td><a href="${taskHref(t.taskId)}">${t.title}</a></td><td><span class="status status-${t.status}">${t.status}</span></td><td>${t.updatedAt.replace('T', ' ').slice(0, 16)} UTC</td></tr>`,
      )}</tbody></table>`
}
</section>`,
  );
}
