import type { InboxEntry } from '../../../application/queries/notification-inbox.service';
import type { TaskSummary } from '../../../application/queries/task-queries.service';
import type { LinkAction } from '../../../domain/action-link';
import type { User } from '../../../domain/user';
import { html, type SafeHtml } from '../html';
import type { NotificationActionLink } from '../../links/notification-action-links';
import { page } from './layout';
import { STATUS_WORDS, standingWords } from './status-words';

/** Which notifications the inbox lists: what still needs the person (the default), or all. */
export type InboxFilter = 'needs-me' | 'all';

export interface InboxModel {
  readonly user: User;
  /** Every notification of the person (the filter applies when rendering, so the counts cover all). */
  readonly notifications: ReadonlyArray<{ readonly entry: InboxEntry; readonly links: readonly NotificationActionLink[] }>;
  readonly tasks: readonly TaskSummary[];
  readonly filter: InboxFilter;
}

const ACTION_LABEL: Record<LinkAction, string> = {
  answer: 'Answer the questions',
  approve: 'Approve',
  reject: 'Reject with feedback',
  redrive: 'Re-drive now',
};

const taskHref = (taskId: string) => `/inbox/tasks/${encodeURIComponent(taskId)}`;

function notificationItem({ entry, links }: InboxModel['notifications'][number]): SafeHtml {
  const { notification: n, standing, taskStatus } = entry;
  // A notification that no longer needs the person offers no action: its links would be refused.
  const actions = standing.state === 'needs-you' ? links : [];
  const open = n.taskId === null ? html`<a href="/inbox/ops/workers">Open the workers page</a>` : html`<a href="${taskHref(n.taskId)}">Open the task</a>`;
  return html`<li class="notification${n.readAt ? '' : ' unread'}" data-notification="${n.id}" data-kind="${n.kind}" data-state="${standing.state}">
<div class="subject">${!n.readAt && html`<span class="new-marker">new</span> `}<span class="state state-${standing.state}">${standingWords(n, standing)}</span> ${n.subject}</div>
<div class="muted">${n.kind.replace(/-/g, ' ')}${taskStatus !== null && html` · task ${STATUS_WORDS[taskStatus]}`} · <time datetime="${n.createdAt.toISOString()}">${n.createdAt.toISOString().replace('T', ' ').slice(0, 16)} UTC</time></div>
${standing.state === 'needs-you' && n.questions && n.questions.length > 0 && html`<ul>${n.questions.map((q) => html`<li class="text">${q}</li>`)}</ul>`}
<div class="actions">${open}${actions.map(
    (l) => html`<a class="action-link" data-action="${l.action}" href="/inbox/links/${l.token}">${ACTION_LABEL[l.action]}</a>`,
  )}</div>
</li>`;
}

function filterNav(filter: InboxFilter, needsMe: number, all: number): SafeHtml {
  const item = (value: InboxFilter, label: string, count: number) =>
    value === filter
      ? html`<strong aria-current="page" data-filter="${value}">${label} (${count})</strong>`
      : html`<a href="/inbox${value === 'all' ? '?show=all' : ''}" data-filter="${value}">${label} (${count})</a>`;
  return html`<nav class="inbox-filter" aria-label="Which notifications">${item('needs-me', 'Needs me', needsMe)} ${item('all', 'All', all)}</nav>`;
}

/**
 * A person's notifications, newest first: each says whether it still needs them (needs you, done,
 * superseded by a newer version, task finished) and the task's status, and offers its action links
 * only while it needs them. "Needs me" (the default) lists those only, "All" every one; unread ones
 * are marked "new" and counted, and "Mark all read" reads them all. Then their tasks.
 */
export function inboxPage(model: InboxModel): string {
  const unread = model.notifications.filter(({ entry }) => !entry.notification.readAt).length;
  const needsMe = model.notifications.filter(({ entry }) => entry.standing.state === 'needs-you');
  const shown = model.filter === 'all' ? model.notifications : needsMe;
  const empty = model.filter === 'all' || model.notifications.length === 0 ? 'Nothing yet.' : 'Nothing needs you now.';
  return page(
    { title: unread > 0 ? `Inbox (${unread} new)` : 'Inbox', user: model.user },
    html`<h1>Inbox</h1>
<section class="card" id="notifications">
<h2>Notifications${unread > 0 && html` <span class="unread-count" data-unread="${unread}">${unread} new</span>`}</h2>
<div class="inbox-tools">${filterNav(model.filter, needsMe.length, model.notifications.length)}${
      unread > 0 &&
      html`<form class="mark-all-read" method="post" action="/inbox/notifications/read-all"><input type="hidden" name="show" value="${model.filter}"><button type="submit" class="secondary">Mark all read</button></form>`
    }</div>
${shown.length === 0 ? html`<p class="muted">${empty}</p>` : html`<ul class="plain">${shown.map(notificationItem)}</ul>`}
</section>
<section class="card" id="tasks">
<h2>Tasks</h2>
${
  model.tasks.length === 0
    ? html`<p class="muted">No tasks.</p>`
    : html`<table><thead><tr><th>Task</th><th>Status</th><th>Updated</th></tr></thead><tbody>${model.tasks.map(
        (t) =>
          html`<tr data-task="${t.taskId}"><td><a href="${taskHref(t.taskId)}">${t.title}</a></td><td><span class="status status-${t.status}">${STATUS_WORDS[t.status]}</span></td><td>${t.updatedAt.replace('T', ' ').slice(0, 16)} UTC</td></tr>`,
      )}</tbody></table>`
}
</section>`,
  );
}
