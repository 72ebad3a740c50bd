import type { DeadLetter } from '../../../../../shared/messaging/message-queue';
import type { WorkerRecord } from '../../../../../shared/workers/worker-record';
import { envelopeField } from '../../../../../shared/messaging/envelope';
import type { DeliverySummary } from '../../../application/deliveries-admin/delivery-admin.service';
import { durationText } from '../../../domain/alert';
import type { AgentPoolRequest, AgentPoolState, BulkOutcome, OpsOverview, Reading, StalledTask, TaskTrail } from '../../../application/ops/ops-console.service';
import type { OperatorAction } from '../../../application/ops/ops.repository';
import type { TaskView } from '../../../domain/task-view';
import type { User } from '../../../domain/user';
import { html, type SafeHtml } from '../html';
import { page } from './layout';

const OPS = '/inbox/ops';
export const trailHref = (taskId: string): string => `${OPS}/tasks/${encodeURIComponent(taskId)}`;
const deadLettersHref = (consumer?: string, type?: string): string => {
  const query = new URLSearchParams();
  if (consumer) query.set('consumer', consumer);
  if (type) query.set('type', type);
  const text = query.toString();
  return `${OPS}/dead-letters${text ? `?${text}` : ''}`;
};

const when = (date: Date | null): SafeHtml =>
  date ? html`<time datetime="${date.toISOString()}">${date.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>` : html`<span class="muted">–</span>`;

/** "4 min 10 s" from milliseconds, for ages an operator compares at a glance. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

const nav = html`<nav class="ops-nav"><a href="${OPS}">Overview</a><a href="${OPS}/stalled">Stalled</a><a href="${OPS}/workers">Workers</a><a href="${OPS}/dead-letters">Dead letters</a><a href="${OPS}/deliveries">Failed deliveries</a><a href="${OPS}/audit">Audit log</a></nav>`;

function opsPage(user: User, title: string, body: SafeHtml): string {
  return page({ title: `${title} · ops`, user }, html`${nav}${body}`);
}

const searchForm = (query = ''): SafeHtml =>
  html`<form class="search" method="get" action="${OPS}/search"><label>Find a task <input type="search" name="q" value="${query}" placeholder="task id, correlation id, requester or title" required maxlength="500"></label><button type="submit">Search</button></form>`;

function unavailable<T>(value: Reading<T>, what: string, show: (v: T) => SafeHtml): SafeHtml {
  return value.ok ? show(value.value) : html`<p class="error" data-unavailable="${what}">${what} unavailable: ${value.reason}</p>`;
}

function actionsTable(actions: readonly OperatorAction[]): SafeHtml {
  if (actions.length === 0) return html`<p class="muted">No operator actions yet.</p>`;
  return html`<table class="audit"><thead><tr><th>When</th><th>Who</th><th>Action</th><th>On</th><th>Outcome</th><th>What happened</th></tr></thead><tbody>${actions.map(
    (a) =>
      html`<tr data-action="${a.action}" data-outcome="${a.outcome}"><td>${when(a.at)}</td><td>${a.actorId}</td><td>${a.action}</td><td class="text">${a.taskId ? html`<a href="${trailHref(a.taskId)}">${a.target}</a>` : a.target}</td><td><span class="outcome outcome-${a.outcome}">${a.outcome}</span></td><td class="text">${a.detail}</td></tr>`,
  )}</tbody></table>`;
}

export function overviewPage(user: User, overview: OpsOverview, now: Date): string {
  const total = overview.tasksByStatus.reduce((sum, s) => sum + s.count, 0);
  return opsPage(
    user,
    'Overview',
    html`<h1>Operations</h1>
${searchForm()}
<section class="card" id="tasks-by-status"><h2>Tasks per state</h2>
<table><tbody>${overview.tasksByStatus.map(
      (s) => html`<tr data-status="${s.status}"><td><span class="status status-${s.status}">${s.status}</span></td><td class="count">${s.count}</td></tr>`,
    )}<tr><td>all</td><td class="count">${total}</td></tr></tbody></table></section>
<section class="card" id="dead-letters"><h2>Dead letters</h2>
${unavailable(overview.deadLetters, 'dead letters', (counts) =>
  counts.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><tbody>${counts.map(
        (c) =>
          html`<tr data-consumer="${c.consumer}"><td><a href="${deadLettersHref(c.consumer)}">${c.consumer}</a></td><td class="count">${c.count}</td></tr>`,
      )}</tbody></table>`,
)}</section>
<section class="card" id="queues"><h2>Queues</h2>
${unavailable(overview.queues, 'queue depths', (queues) =>
  queues.length === 0
    ? html`<p class="muted">This process subscribes no consumer.</p>`
    : html`<table><thead><tr><th>Consumer</th><th>Waiting</th><th>Retrying</th><th>Dead letters</th><th>Oldest waiting</th></tr></thead><tbody>${queues.map(
        (q) =>
          html`<tr data-queue="${q.consumer}" data-waiting="${q.waiting}"><td>${q.consumer}</td><td class="count">${q.waiting}</td><td class="count">${q.retrying}</td><td class="count">${q.deadLettered}</td><td>${
            q.oldestWaitingSince === undefined
              ? html`<span class="muted">not visible on this broker</span>`
              : q.oldestWaitingSince === null
                ? '–'
                : `${ageText(now.getTime() - q.oldestWaitingSince.getTime())} ago`
          }</td></tr>`,
      )}</tbody></table><p class="muted">The consumers of this process; another process's queues are on its <code>/metrics</code> (<code>refinery_consumer_queue_depth</code>).</p>`,
)}</section>
<section class="card" id="stalled"><h2>Stalled</h2><p><a href="${OPS}/stalled" data-stalled="${overview.stalled}">${overview.stalled} stalled task${overview.stalled === 1 ? '' : 's'}</a></p></section>
<section class="card" id="deliveries"><h2>Failed deliveries</h2><p><a href="${OPS}/deliveries" data-failed="${overview.failedDeliveries}">${overview.failedDeliveries} failed</a></p></section>
<section class="card" id="outbox"><h2>Outbox</h2><p data-unsent="${overview.outbox.unsent}">${overview.outbox.unsent} unsent${overview.outbox.unsent > 0 && html`, the oldest written ${ageText(overview.outbox.oldestUnsentAgeSeconds * 1000)} ago`}</p></section>
<section class="card" id="agent-pool"><h2>Agent pool</h2>${agentPoolLine(overview.agentPool)}<p class="actions">${
      overview.agentPool.paused
        ? html`<a class="button" href="${OPS}/agent-pool/confirm?op=resume">Resume the agent pool…</a>`
        : html`<a class="button secondary" href="${OPS}/agent-pool/confirm?op=pause">Pause the agent pool…</a>`
    }</p></section>
<section class="card" id="workers"><h2>Workers</h2>${workerCounts(overview.workers)}<p><a href="${OPS}/workers">Every instance</a></p></section>
<section class="card" id="recent-actions"><h2>Recent operator actions</h2>${actionsTable(overview.recentActions)}<p><a href="${OPS}/audit">The whole audit log</a></p></section>`,
  );
}

export function searchPage(user: User, query: string, tasks: readonly TaskView[]): string {
  return opsPage(
    user,
    'Search',
    html`<h1>Find a task</h1>
${searchForm(query)}
${
  tasks.length === 0
    ? html`<p class="muted" id="no-results">No task matches "${query}".</p>`
    : html`<table id="results"><thead><tr><th>Task</th><th>Status</th><th>Requester</th><th>Updated</th></tr></thead><tbody>${tasks.map(
        (t) =>
          html`<tr data-task="${t.taskId}"><td><a href="${trailHref(t.taskId)}">${t.title}</a><div class="muted">${t.taskId}</div></td><td><span class="status status-${t.status}">${t.status}</span></td><td>${t.requesterId}</td><td>${when(t.updatedAt)}</td></tr>`,
      )}</tbody></table>`
}`,
  );
}

function deadLetterRows(deadLetters: readonly DeadLetter[]): SafeHtml {
  return html`<table class="dead-letters"><thead><tr><th>Consumer</th><th>Type</th><th>Error</th><th>Attempts</th><th>Last failed</th><th>Task</th></tr></thead><tbody>${deadLetters.map(
    (d) => {
      const key = envelopeField(d.message, 'key');
      return html`<tr data-dead-letter="${d.id}"><td>${d.consumer}</td><td><a href="${OPS}/dead-letters/${encodeURIComponent(d.consumer)}/${encodeURIComponent(d.id)}">${d.messageType}</a></td><td class="text">${d.errorClass}: ${d.errorMessage}</td><td class="count">${d.attempts}</td><td>${d.lastFailedAt.replace('T', ' ').slice(0, 19)} UTC</td><td>${key ? html`<a href="${trailHref(key)}">${key}</a>` : html`<span class="muted">–</span>`}</td></tr>`;
    },
  )}</tbody></table>`;
}

export function trailPage(user: User, trail: TaskTrail): string {
  const t = trail.task;
  return opsPage(
    user,
    `Trail of ${t.title}`,
    html`<h1>${t.title}</h1>
<dl class="facts" id="task-facts"><dt>Task</dt><dd data-task-id="${t.taskId}">${t.taskId}</dd><dt>Status</dt><dd><span class="status status-${t.status}">${t.status}</span> (version ${t.version})</dd>
<dt>Requester</dt><dd>${t.requesterId}</dd><dt>Approver</dt><dd>${t.approverId}</dd><dt>Correlation id</dt><dd data-correlation-id="${trail.correlationId ?? ''}">${trail.correlationId ?? '–'}</dd>
<dt>Trace</dt><dd data-trace-ids="${trail.traceIds.join(' ')}">${trail.traceIds.length === 0 ? html`<span class="muted">not traced (no OTLP endpoint was set)</span>` : trail.traceIds.join(', ')}</dd>
<dt>Submitted</dt><dd>${when(t.createdAt)}</dd><dt>Last change</dt><dd>${when(t.updatedAt)}</dd></dl>
<section class="card" id="transitions"><h2>Transitions</h2>
${
  trail.transitions.length === 0
    ? html`<p class="muted">No transition has reached this process yet.</p>`
    : html`<table><thead><tr><th>Version</th><th>When</th><th>From → to</th><th>By</th><th>Why</th></tr></thead><tbody>${trail.transitions.map(
        (x) =>
          html`<tr data-version="${x.version}"><td>${x.version}</td><td>${when(new Date(x.at))}</td><td>${x.from ?? '–'} → ${x.to}</td><td>${x.actor}</td><td class="text">${x.reason ?? x.feedback ?? ''}</td></tr>`,
      )}</tbody></table>`
}</section>
<section class="card" id="messages"><h2>Messages</h2>
${
  trail.messages.length === 0
    ? html`<p class="muted">No message about this task is in the outbox (retention may have pruned them).</p>`
    : html`<table><thead><tr><th>Written</th><th>Type</th><th>Sent</th><th>Handled by</th><th>Relay</th></tr></thead><tbody>${trail.messages.map(
        (m) =>
          html`<tr data-message="${m.messageId}" data-type="${m.type}"><td>${when(m.createdAt)}</td><td>${m.type}<div class="muted">${m.kind} ${m.messageId}${m.traceId && html` · trace ${m.traceId}`}</div></td><td>${when(m.sentAt)}</td><td>${
            m.handledBy.length === 0
              ? html`<span class="muted">not handled yet</span>`
              : html`<ul class="plain">${m.handledBy.map((h) => html`<li data-consumer="${h.consumer}">${h.consumer} · ${when(h.at)}</li>`)}</ul>`
          }</td><td class="text">${m.abandoned ? html`<span class="error">abandoned: ${m.lastError ?? ''}</span>` : m.lastError ? `${m.attempts} attempts, last error: ${m.lastError}` : ''}</td></tr>`,
      )}</tbody></table>`
}</section>
<section class="card" id="trail-dead-letters"><h2>Dead letters about this task</h2>
${unavailable(trail.deadLetters, 'dead letters', (list) => (list.length === 0 ? html`<p class="muted">None.</p>` : deadLetterRows(list)))}</section>
<section class="card" id="trail-deliveries"><h2>Deliveries</h2>
${
  trail.deliveries.length === 0
    ? html`<p class="muted">No email or webhook delivery.</p>`
    : html`<table><thead><tr><th>Notification</th><th>Channel</th><th>To</th><th>Status</th><th>Attempts</th><th>Last error</th></tr></thead><tbody>${trail.deliveries.map(
        (d) =>
          html`<tr data-delivery="${d.channel}:${d.notificationId}" data-status="${d.status}"><td class="text">${d.subject}<div class="muted">${d.kind}</div></td><td>${d.channel}</td><td>${d.recipientId}</td><td>${d.status}${d.sentAt && html` ${when(d.sentAt)}`}</td><td class="count">${d.attempts}</td><td class="text">${d.lastError ?? ''}</td></tr>`,
      )}</tbody></table>`
}</section>
<section class="card" id="prd-versions"><h2>PRD versions and agent calls</h2>
${
  trail.prds.length === 0
    ? html`<p class="muted">No PRD yet.</p>`
    : html`<table><thead><tr><th>Version</th><th>Drafted</th><th>Agent</th><th>Model · prompt</th><th>Calls</th><th>Tokens in / out</th><th>Call time</th></tr></thead><tbody>${trail.prds.map(
        (p) =>
          html`<tr data-prd-version="${p.version}"><td>${p.version}</td><td>${when(p.draftedAt)}</td><td>${p.generatedBy.agent}</td><td>${p.generatedBy.model ?? '–'} · ${p.generatedBy.promptVersion}</td><td class="count">${p.generatedBy.calls}</td><td class="count">${p.generatedBy.tokensIn} / ${p.generatedBy.tokensOut}</td><td class="count">${Math.round(p.generatedBy.callMs)} ms</td></tr>`,
      )}</tbody></table>`
}</section>
<section class="card" id="trail-actions"><h2>Operator actions on this task</h2>${actionsTable(trail.actions)}</section>`,
  );
}

export function deadLettersPage(user: User, filter: { readonly consumer?: string; readonly type?: string }, deadLetters: readonly DeadLetter[]): string {
  const consumers = [...new Set(deadLetters.map((d) => d.consumer))];
  const confirm = (op: 'replay' | 'purge', consumer: string) => {
    const query = new URLSearchParams({ op, consumer });
    if (filter.type) query.set('type', filter.type);
    return `${OPS}/dead-letters/confirm?${query.toString()}`;
  };
  return opsPage(
    user,
    'Dead letters',
    html`<h1>Dead letters${filter.consumer && html` of ${filter.consumer}`}${filter.type && html` of type ${filter.type}`}</h1>
<p data-count="${deadLetters.length}">${deadLetters.length} dead letter${deadLetters.length === 1 ? '' : 's'}.</p>
${deadLetters.length > 0 && deadLetterRows(deadLetters)}
${consumers.map(
  (c) =>
    html`<p class="actions" data-consumer="${c}"><a class="button" href="${confirm('replay', c)}">Replay those of ${c}…</a> <a class="button secondary" href="${confirm('purge', c)}">Purge those of ${c}…</a></p>`,
)}`,
  );
}

export function deadLetterPage(user: User, deadLetter: DeadLetter): string {
  const confirm = (op: 'replay' | 'purge') =>
    `${OPS}/dead-letters/confirm?${new URLSearchParams({ op, consumer: deadLetter.consumer, id: deadLetter.id }).toString()}`;
  return opsPage(
    user,
    'Dead letter',
    html`<h1>Dead letter ${deadLetter.messageType}</h1>
<dl class="facts"><dt>Consumer</dt><dd>${deadLetter.consumer}</dd><dt>Id</dt><dd>${deadLetter.id}</dd><dt>Error</dt><dd class="text">${deadLetter.errorClass}: ${deadLetter.errorMessage}</dd>
<dt>Attempts</dt><dd>${deadLetter.attempts}</dd><dt>First failed</dt><dd>${deadLetter.firstFailedAt}</dd><dt>Last failed</dt><dd>${deadLetter.lastFailedAt}</dd></dl>
<h2>Message</h2><pre class="text" id="dead-letter-message">${JSON.stringify(deadLetter.message, null, 2)}</pre>
<p class="actions"><a class="button" href="${confirm('replay')}">Replay…</a> <a class="button secondary" href="${confirm('purge')}">Purge…</a></p>`,
  );
}

/** The confirmation of a bulk action: exactly what it will touch, counted, and one button that does it. */
export function confirmDeadLettersPage(user: User, op: 'replay' | 'purge', consumer: string, deadLetters: readonly DeadLetter[]): string {
  const verb = op === 'replay' ? 'Replay' : 'Purge';
  const n = deadLetters.length;
  const what = `${n} dead letter${n === 1 ? '' : 's'}`;
  return opsPage(
    user,
    `${verb} dead letters`,
    html`<h1>${verb} ${what} of ${consumer}?</h1>
${
  n === 0
    ? html`<p class="muted" data-count="0">Nothing matches any more: there is nothing to ${op}.</p><p><a href="${deadLettersHref(consumer)}">Back to the dead letters</a></p>`
    : html`<p data-count="${n}">This will ${op === 'replay' ? 'put these back on their queue to be handled again' : 'delete these for good'}: exactly the ${what} listed, nothing that arrives after this page.</p>
${deadLetterRows(deadLetters)}
<form method="post" action="${OPS}/dead-letters/${op}"><input type="hidden" name="consumer" value="${consumer}">${deadLetters.map(
        (d) => html`<input type="hidden" name="id" value="${d.id}">`,
      )}<button type="submit"${op === 'purge' ? html` class="danger"` : ''}>${verb} ${what}</button> <a href="${deadLettersHref(consumer)}">Cancel</a></form>`
}`,
  );
}

export function bulkDonePage(user: User, heading: string, outcome: BulkOutcome, back: { readonly href: string; readonly label: string }): string {
  const gone = outcome.shown - outcome.done;
  return opsPage(
    user,
    heading,
    html`<h1>${heading}</h1><div class="flash" data-done="${outcome.done}" data-shown="${outcome.shown}"><p>${outcome.done} of the ${outcome.shown} shown${gone > 0 ? ` (${gone} were already gone)` : ''}.</p></div>
<p><a href="${back.href}">${back.label}</a> · <a href="${OPS}/audit">Audit log</a></p>`,
  );
}

function deliveryRows(deliveries: readonly DeliverySummary[]): SafeHtml {
  return html`<table class="deliveries"><thead><tr><th>Notification</th><th>Channel</th><th>Recipient</th><th>To</th><th>Attempts</th><th>Last error</th></tr></thead><tbody>${deliveries.map(
    (d) =>
      html`<tr data-delivery="${d.channel}:${d.notificationId}"><td>${d.notificationId}</td><td>${d.channel}</td><td>${d.recipientId}</td><td>${d.targetHost}</td><td class="count">${d.attempts}</td><td class="text">${d.lastError ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

export function failedDeliveriesPage(user: User, deliveries: readonly DeliverySummary[]): string {
  return opsPage(
    user,
    'Failed deliveries',
    html`<h1>Failed deliveries</h1><p data-count="${deliveries.length}">${deliveries.length} failed.</p>
${deliveries.length > 0 && html`${deliveryRows(deliveries)}<p class="actions"><a class="button" href="${OPS}/deliveries/confirm">Retry these…</a></p>`}`,
  );
}

export function confirmDeliveriesPage(user: User, deliveries: readonly DeliverySummary[]): string {
  const n = deliveries.length;
  const what = `${n} failed deliver${n === 1 ? 'y' : 'ies'}`;
  return opsPage(
    user,
    'Retry deliveries',
    html`<h1>Retry ${what}?</h1>
${
  n === 0
    ? html`<p class="muted" data-count="0">No delivery has failed: there is nothing to retry.</p>`
    : html`<p data-count="${n}">Each of these is sent again with a fresh set of attempts: exactly the ${what} listed.</p>${deliveryRows(deliveries)}
<form method="post" action="${OPS}/deliveries/retry">${deliveries.map(
        (d) => html`<input type="hidden" name="delivery" value="${d.channel}:${d.notificationId}">`,
      )}<button type="submit">Retry ${what}</button> <a href="${OPS}/deliveries">Cancel</a></form>`
}`,
  );
}

export function auditPage(user: User, actions: readonly OperatorAction[]): string {
  return opsPage(
    user,
    'Audit log',
    html`<h1>Audit log</h1><p class="muted">Every operator action, newest first: who, what, on what, when, and how it ended.</p>${actionsTable(actions)}`,
  );
}

/** Live, draining and gone instances per context: a context with no live one is said plainly. */
function workerCounts(workers: readonly WorkerRecord[]): SafeHtml {
  const contexts = [...new Set(workers.flatMap((w) => w.contexts))].sort();
  if (contexts.length === 0) return html`<p class="muted">No process has registered.</p>`;
  const count = (context: string, status: WorkerRecord['status']) => workers.filter((w) => w.status === status && w.contexts.includes(context)).length;
  return html`<table><thead><tr><th>Context</th><th>Live</th><th>Draining</th><th>Gone</th></tr></thead><tbody>${contexts.map((c) => {
    const live = count(c, 'live');
    return html`<tr data-context="${c}" data-live="${live}"><td>${c}${live === 0 ? html` <span class="error">no live worker</span>` : ''}</td><td class="count">${live}</td><td class="count">${count(c, 'draining')}</td><td class="count">${count(c, 'gone')}</td></tr>`;
  })}</tbody></table>`;
}

export function workersPage(user: User, workers: readonly WorkerRecord[]): string {
  return opsPage(
    user,
    'Workers',
    html`<h1>Workers</h1>
<p class="muted">Every process registers itself and heartbeats on the database clock; one that misses its lease is marked gone and the work it held is released at once.</p>
${workerCounts(workers)}
${
  workers.length > 0 &&
  html`<table id="worker-list"><thead><tr><th>Instance</th><th>Contexts</th><th>Status</th><th>Last heartbeat</th><th>In flight</th><th>Handled</th><th>Version</th><th>Started</th></tr></thead><tbody>${workers.map(
    (w) =>
      html`<tr data-worker="${w.id}" data-status="${w.status}"><td>${w.id}<div class="muted">${w.host} pid ${w.pid}</div></td><td>${w.contexts.join(', ')}</td><td><span class="worker-status worker-${w.status}">${w.status}</span>${w.goneAt && html` ${when(w.goneAt)}`}</td><td>${ageText(w.heartbeatAgeMs)} ago</td><td class="count">${w.inFlight}</td><td class="count">${w.handled}</td><td>${w.version}</td><td>${when(w.startedAt)}</td></tr>`,
  )}</tbody></table>`
}`,
  );
}

const redriveHref = (alertId: string): string => `${OPS}/stalled/${encodeURIComponent(alertId)}/redrive`;

function stallFacts(s: StalledTask, now: Date): { since: string; forMs: number; tried: string } {
  const facts = s.alert.facts.kind === 'workflow-stalled' ? s.alert.facts : undefined;
  const since = facts?.inStatusSince ?? s.alert.raisedAt.toISOString();
  return { since, forMs: now.getTime() - new Date(since).getTime(), tried: facts && facts.redriven.length > 0 ? facts.redriven.join(', ') : 'nothing' };
}

/** Tasks the scanner found stuck that have not moved on: for how long, what it tried, and "re-drive now". */
export function stalledPage(user: User, stalled: readonly StalledTask[], now: Date): string {
  return opsPage(
    user,
    'Stalled',
    html`<h1>Stalled tasks</h1>
<p data-count="${stalled.length}">${stalled.length} task${stalled.length === 1 ? '' : 's'} stalled: in a state longer than its threshold, not moved on since.</p>
${
  stalled.length > 0 &&
  html`<table id="stalled-list"><thead><tr><th>Task</th><th>State</th><th>For</th><th>The scanner sent again</th><th>Re-drive</th></tr></thead><tbody>${stalled.map(
    (s) => {
      const f = stallFacts(s, now);
      const taskId = s.alert.taskId ?? s.alert.subject;
      return html`<tr data-stalled-task="${taskId}" data-alert="${s.alert.id}"><td><a href="${trailHref(taskId)}">${s.task?.title ?? taskId}</a><div class="muted">${taskId}</div></td><td><span class="status status-${s.alert.status ?? ''}">${s.alert.status ?? ''}</span> (version ${s.alert.taskVersion ?? ''})</td><td>${durationText(f.forMs)}<div class="muted">since ${f.since.replace('T', ' ').slice(0, 19)} UTC</div></td><td class="text">${f.tried}</td><td>${
        s.alert.redrive
          ? html`<span class="muted">asked by ${s.alert.redrive.by} ${when(s.alert.redrive.at)}</span>`
          : html`<a class="button" href="${redriveHref(s.alert.id)}">Re-drive now…</a>`
      }</td></tr>`;
    },
  )}</tbody></table>`
}`,
  );
}

export function confirmRedrivePage(user: User, stalled: StalledTask, now: Date): string {
  const f = stallFacts(stalled, now);
  const taskId = stalled.alert.taskId ?? stalled.alert.subject;
  return opsPage(
    user,
    'Re-drive a task',
    html`<h1>Re-drive "${stalled.task?.title ?? taskId}"?</h1>
<p data-count="1">This asks orchestration to send the step of ${stalled.alert.status ?? 'its state'} (task version ${stalled.alert.taskVersion ?? ''}) again, for exactly this one task, stalled for ${durationText(f.forMs)}. It is sent once per stall; if the task has moved on by then, nothing happens.</p>
<form method="post" action="${redriveHref(stalled.alert.id)}"><button type="submit">Re-drive this task</button> <a href="${OPS}/stalled">Cancel</a></form>`,
  );
}

/** "Agent pool: running" or "Agent pool: paused by root at … (reason)", with the tasks waiting for it. */
function agentPoolLine(pool: AgentPoolState): SafeHtml {
  const v = pool.view;
  const state = pool.paused
    ? html`paused by ${v?.by ?? 'an operator'}${v ? html` at ${when(v.changedAt)}` : ''}${v?.reason ? ` (${v.reason})` : ''}`
    : v
      ? html`running (resumed by ${v.by} at ${when(v.changedAt)}${v.reason ? ` (${v.reason})` : ''})`
      : 'running';
  return html`<p data-agent-pool="${pool.paused ? 'paused' : 'running'}">Agent pool: ${state}</p><p class="muted" data-waiting="${pool.waitingTasks}">${waitingText(pool.waitingTasks)}</p>`;
}

const waitingText = (n: number): string => `Tasks waiting for the agent: ${n}`;

/** The confirmation of a pause or resume: what it changes, how many tasks wait, and one button. */
export function confirmAgentPoolPage(user: User, op: 'pause' | 'resume', pool: AgentPoolState): string {
  const n = pool.waitingTasks;
  const tasks = `${n} task${n === 1 ? '' : 's'}`;
  const already = (op === 'pause') === pool.paused;
  return opsPage(
    user,
    op === 'pause' ? 'Pause the agent pool' : 'Resume the agent pool',
    html`<h1>${op === 'pause' ? 'Pause the agent pool?' : 'Resume the agent pool?'}</h1>
${agentPoolLine(pool)}
<p data-count="${n}">${
      op === 'pause'
        ? `Tasks waiting for the agent: ${n} stay pending. No process claims a work item while the pool is paused: the ${tasks} now waiting, and every new request, stay in REQUEST_VALIDATION with their attempts unspent. Items the agent is working on now are finished.`
        : `Tasks waiting for the agent: ${n}. Every process starts claiming again: the ${tasks} waiting go to the agent.`
    }</p>
${already ? html`<p class="muted" id="already">The pool is ${pool.paused ? 'paused' : 'running'} already: confirming changes nothing.</p>` : ''}
<form method="post" action="${OPS}/agent-pool/${op}">${
      op === 'pause' ? html`<label>Why (shown to other operators) <input type="text" name="reason" maxlength="500"></label> ` : ''
    }<button type="submit"${op === 'pause' ? html` class="danger"` : ''}>${op === 'pause' ? 'Pause the agent pool' : 'Resume the agent pool'}</button> <a href="${OPS}">Cancel</a></form>`,
  );
}

export function agentPoolAskedPage(user: User, request: AgentPoolRequest): string {
  const verb = request.paused ? 'pause' : 'resume';
  return opsPage(
    user,
    request.paused ? 'Agent pool pausing' : 'Agent pool resuming',
    html`<h1>${request.paused ? 'Pausing the agent pool' : 'Resuming the agent pool'}</h1><div class="flash" data-asked="${verb}" data-waiting="${request.waitingTasks}"><p>Product definition was asked to ${verb} the pool; the overview shows it once it has. ${waitingText(request.waitingTasks)}.${request.alreadySo ? ` It was ${request.paused ? 'paused' : 'running'} already: nothing changes.` : ''}</p></div>
<p><a href="${OPS}">Back to the overview</a> · <a href="${OPS}/audit">Audit log</a></p>`,
  );
}
