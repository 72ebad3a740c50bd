import type { Transition } from '../../../../task-management/contracts';
import type { PrdDiff } from '../../../application/prd-diff/prd-diff';
import type { TaskDetails } from '../../../application/queries/task-queries.service';
import type { User } from '../../../domain/user';
import { html, type SafeHtml } from '../html';
import { page } from './layout';
import { prdDiffView, prdDocumentView } from './prd-view';

export interface TaskPageModel {
  readonly details: TaskDetails;
  /** What the shown PRD version changed from the one before it; null for a first version. */
  readonly changes: PrdDiff | null;
  readonly viewer: User;
  /** Display names of the people involved, by id. */
  readonly nameOf: (userId: string) => string;
  /** A short confirmation after a form was accepted (post/redirect/get). */
  readonly flash?: string;
  /** Four-eyes (APPROVAL_FOUR_EYES): the requester gets no decision forms on their own task. */
  readonly fourEyes: boolean;
}

/** Changes whenever anything the live section shows changes: the page and the server compare it. */
export function liveStamp(details: TaskDetails): string {
  return `v${details.task.version}-p${details.prdVersions.at(-1) ?? 0}-s${details.prd?.version ?? 0}`;
}

/** The questions the requester must answer now, in the order asked. */
export function pendingQuestionsOf(details: TaskDetails): readonly string[] {
  if (details.task.status !== 'CLARIFICATION_NEEDED') return [];
  return details.history.at(-1)?.questions ?? [];
}

const when = (iso: string): SafeHtml =>
  html`<time datetime="${iso}">${iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
    .replace(/Z$/, ' UTC')}</time>`;

function actorName(actor: string, nameOf: (id: string) => string): string {
  if (actor.startsWith('user:')) return nameOf(actor.slice('user:'.length));
  if (actor.startsWith('service:')) return actor.slice('service:'.length).replace(/-/g, ' ');
  return actor;
}

function timelineEntry(t: Transition, nameOf: (id: string) => string): SafeHtml {
  return html`<li data-version="${t.version}">
<div><strong>${t.from ? html`${t.from} → ${t.to}` : html`created as ${t.to}`}</strong> <span class="muted">by ${actorName(t.actor, nameOf)}, ${when(t.at)} (v${t.version})</span></div>
${t.reason && html`<div class="text">Reason: ${t.reason}</div>`}
${t.prdVersion !== undefined && html`<div>PRD version ${t.prdVersion}</div>`}
${t.questions && html`<div>Questions:</div><ul>${t.questions.map((q) => html`<li class="text">${q}</li>`)}</ul>`}
${t.answers && html`<div>Answers:</div><dl class="qa">${t.answers.map((a) => html`<dt class="text">${a.question}</dt><dd class="text">${a.answer}</dd>`)}</dl>`}
${t.feedback && html`<div class="text">Feedback: ${t.feedback}</div>`}
</li>`;
}

function forms(details: TaskDetails, viewer: User, fourEyes: boolean): SafeHtml {
  const { task } = details;
  const base = `/inbox/tasks/${encodeURIComponent(task.taskId)}`;
  const questions = pendingQuestionsOf(details);
  if (task.status === 'CLARIFICATION_NEEDED' && task.requesterId === viewer.id && questions.length > 0) {
    return html`<div class="card" id="answer">
<h2>The agent needs answers</h2>
<form class="action" method="post" action="${base}/answer">
<input type="hidden" name="version" value="${task.version}">
${questions.map((q, i) => html`<label for="answer-${i}" class="text">${q}</label><textarea id="answer-${i}" name="answer-${i}" required maxlength="10000"></textarea>`)}
<p><button type="submit">Send answers</button></p>
</form>
</div>`;
  }
  const awaiting = task.status === 'PRD_VALIDATION' && task.prdVersion !== null && details.prd?.version === task.prdVersion;
  if (awaiting && task.approverId === viewer.id && fourEyes && task.requesterId === viewer.id) {
    return html`<div class="card" id="decide">
<h2>PRD version ${task.prdVersion} awaits a decision</h2>
<p>You requested this task, so you may not approve or reject it yourself (four-eyes): another approver must decide.</p>
</div>`;
  }
  if (awaiting && task.approverId === viewer.id) {
    return html`<div class="card" id="decide">
<h2>Your decision on PRD version ${task.prdVersion}</h2>
<form class="action" method="post" action="${base}/approve">
<input type="hidden" name="prdVersion" value="${task.prdVersion}">
<button type="submit">Approve version ${task.prdVersion}</button>
</form>
<form class="action" method="post" action="${base}/reject">
<input type="hidden" name="prdVersion" value="${task.prdVersion}">
<label for="feedback">Or reject it, saying what the next version must change</label>
<textarea id="feedback" name="feedback" required maxlength="10000"></textarea>
<p><button class="danger" type="submit">Reject with feedback</button></p>
</form>
</div>`;
  }
  return html``;
}

/** A plain link to the shown version's Markdown (GET /inbox/tasks/:taskId/prd.md); the print stylesheet covers PDF. */
const prdDownload = (taskId: string, version: number): SafeHtml =>
  html`<p class="prd-export"><a class="button secondary" id="prd-download" href="/inbox/tasks/${encodeURIComponent(taskId)}/prd.md?version=${version}" download>Download PRD version ${version} (Markdown)</a> <span class="muted">To save it as a PDF, print this page.</span></p>`;

const WAITING: Partial<Record<string, string>> = {
  NEW: 'Submitted; the workflow picks it up in a moment.',
  REQUEST_VALIDATION: 'The product manager agent is working on it.',
  CLARIFICATION_NEEDED: 'Waiting for the requester to answer the questions.',
  PRD_VALIDATION: 'Waiting for the approver to decide on the PRD.',
};

/** Everything that changes as the workflow moves: swapped in place by the live script. */
export function liveSection(model: TaskPageModel): SafeHtml {
  const { details, viewer, nameOf, fourEyes } = model;
  const { task } = details;
  const waiting = WAITING[task.status];
  return html`<section id="live" data-task="${task.taskId}" data-stamp="${liveStamp(details)}" data-status="${task.status}">
<p>Status: <span class="status status-${task.status}" id="task-status">${task.status}</span> <span class="muted">version ${task.version}</span></p>
${waiting && html`<p class="muted">${waiting}</p>`}
${forms(details, viewer, fourEyes)}
<h2>Clarifications</h2>
${
  details.clarifications.length === 0
    ? html`<p class="muted">No questions were asked.</p>`
    : html`<dl class="qa">${details.clarifications.map((c) => html`<dt class="text">${c.question}</dt><dd class="text">${c.answer ?? html`<span class="muted">not answered yet</span>`}</dd>`)}</dl>`
}
<h2>PRD</h2>
${model.changes && prdDiffView(model.changes)}
${details.prd && prdDownload(details.task.taskId, details.prd.version)}
${details.prd ? prdDocumentView(details.prd.version, details.prd.document) : html`<p class="muted">No PRD yet.</p>`}
${details.prdVersions.length > 0 && html`<p class="muted">Versions: ${details.prdVersions.join(', ')}${details.prd && html` (showing ${details.prd.version})`}</p>`}
<h2>History</h2>
<ol class="timeline">${details.history.map((t) => timelineEntry(t, nameOf))}</ol>
</section>`;
}

export function taskPage(model: TaskPageModel): string {
  const { details, nameOf, flash } = model;
  const { task } = details;
  return page(
    { title: task.title, user: model.viewer, live: true },
    html`<p><a href="/inbox">← Inbox</a></p>
<h1 class="text">${task.title}</h1>
${flash && html`<p class="flash" role="status">${flash}</p>`}
<dl class="meta">
<dt>Priority</dt><dd>${task.priority}</dd>
<dt>Requester</dt><dd>${nameOf(task.requesterId)}</dd>
<dt>Approver</dt><dd>${nameOf(task.approverId)}</dd>
<dt>Submitted</dt><dd>${when(task.createdAt)}</dd>
</dl>
<div class="card"><h2>Request</h2><div class="text" id="description">${task.description}</div></div>
${liveSection(model)}`,
  );
}
