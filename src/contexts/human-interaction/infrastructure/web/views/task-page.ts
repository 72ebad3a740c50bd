import type { Transition } from '../../../../task-management/contracts';
import type { PrdDiff } from '../../../application/prd-diff/prd-diff';
import type { TaskDetails } from '../../../application/queries/task-queries.service';
import type { User } from '../../../domain/user';
import { html, type SafeHtml } from '../html';
import { page } from './layout';
import { STATUS_WORDS } from './status-words';
import { prdDiffView, prdDocumentView } from './prd-view';

export interface TaskPageModel {
  readonly details: TaskDetails;
  /** What the shown PRD version changed from the one before it; null for a first version. */
  readonly changes: PrdDiff | null;
  /** The PRD version shown when none is asked for; another one is shown only when the URL asks (`?version=n`). */
  readonly defaultPrdVersion: number | null;
  readonly viewer: User;
  /** Display names of the people involved, by id. */
  readonly nameOf: (userId: string) => string;
  /** A short confirmation after a form was accepted (post/redirect/get). */
  readonly flash?: string;
  /** The confirmation only holds while nothing has happened yet (the "submitted" one): then it goes once anything does. */
  readonly flashWhileUntouched?: boolean;
  /** Four-eyes (APPROVAL_FOUR_EYES): the requester gets no decision forms on their own task. */
  readonly fourEyes: boolean;
}

/**
 * Changes whenever anything the live section shows changes: the page and the server compare it.
 * `defaultPrdVersion` is the version the page shows when none is asked for (the shown one unless
 * the page was opened on an earlier version), so an earlier version's page has the server's stamp.
 */
export function liveStamp(details: TaskDetails, defaultPrdVersion: number | null = details.prd?.version ?? null): string {
  return `v${details.task.version}-p${details.prdVersions.at(-1) ?? 0}-s${defaultPrdVersion ?? 0}`;
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

/** Who did it, as a person reads it: a name, "The agent", "The workflow". */
function actorName(actor: string, nameOf: (id: string) => string): string {
  if (actor.startsWith('user:')) return nameOf(actor.slice('user:'.length));
  if (actor === 'service:product-manager-agent') return 'The agent';
  if (actor === 'service:orchestration') return 'The workflow';
  if (actor.startsWith('service:')) return `The ${actor.slice('service:'.length).replace(/-/g, ' ')}`;
  return actor;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One history entry in words ("Bob rejected v1: …"); `decided` is the PRD version the task pointed at before it. */
function historyWords(t: Transition, who: string, decided: number | undefined): SafeHtml {
  const on = decided === undefined ? '' : ` v${decided}`;
  if (t.from === null) return html`${who} submitted the request`;
  if (t.to === 'CLARIFICATION_NEEDED') return html`${who} asked ${plural(t.questions?.length ?? 0, 'question')}`;
  if (t.from === 'CLARIFICATION_NEEDED' && t.to === 'REQUEST_VALIDATION') return html`${who} answered ${plural(t.answers?.length ?? 0, 'question')}`;
  if (t.from === 'PRD_VALIDATION' && t.to === 'REQUEST_VALIDATION')
    return t.feedback ? html`${who} rejected${on}: <span class="text">${t.feedback}</span>` : html`${who} rejected${on}`;
  if (t.to === 'REQUEST_VALIDATION') return html`${who} handed it to the agent`;
  if (t.to === 'PRD_VALIDATION') return html`${who} wrote ${t.prdVersion === undefined ? 'a PRD' : `v${t.prdVersion}`}`;
  if (t.to === 'APPROVED') return html`${who} approved${on}`;
  if (t.to === 'CANCELLED') return t.reason ? html`${who} cancelled the task: <span class="text">${t.reason}</span>` : html`${who} cancelled the task`;
  if (t.to === 'FAILED') return t.reason ? html`The task failed: <span class="text">${t.reason}</span>` : html`The task failed`;
  return html`${who} moved it from ${STATUS_WORDS[t.from]} to ${STATUS_WORDS[t.to]}`;
}

/** The history as a compact timeline, one line an event, in words. */
function timelineView(history: readonly Transition[], nameOf: (id: string) => string): SafeHtml {
  let prdVersion: number | undefined;
  const entries = history.map((t) => {
    const entry = html`<li><span>${historyWords(t, actorName(t.actor, nameOf), t.prdVersion ?? prdVersion)}</span> <span class="muted">${when(t.at)}</span></li>`;
    if (t.prdVersion !== undefined) prdVersion = t.prdVersion;
    return entry;
  });
  return html`<ol class="timeline">${entries}</ol>`;
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

/** Where the task stands, in words for the one reading: "Waiting for your decision on v2", "Approved". */
export function standingOf(details: TaskDetails, viewer: User, nameOf: (id: string) => string): string {
  const { task } = details;
  const whose = (userId: string) => (userId === viewer.id ? 'your' : `${nameOf(userId)}'s`);
  switch (task.status) {
    case 'NEW':
      return 'Submitted; the workflow picks it up in a moment';
    case 'REQUEST_VALIDATION':
      return details.prdVersions.length === 0 ? 'The agent is working on it' : `The agent is writing v${(details.prdVersions.at(-1) ?? 0) + 1}`;
    case 'CLARIFICATION_NEEDED':
      return `Waiting for ${whose(task.requesterId)} answers`;
    case 'PRD_VALIDATION':
      return task.prdVersion === null
        ? `Waiting for ${whose(task.approverId)} decision`
        : `Waiting for ${whose(task.approverId)} decision on v${task.prdVersion}`;
    case 'APPROVED':
      return task.prdVersion === null ? 'Approved' : `Approved (v${task.prdVersion})`;
    case 'CANCELLED':
      return 'Cancelled';
    case 'FAILED':
      return 'Failed';
  }
}

/** Nothing has happened since the request was submitted: no question asked, no PRD written. */
const untouched = (details: TaskDetails): boolean =>
  details.prdVersions.length === 0 && details.history.every((t) => t.to === 'NEW' || (t.to === 'REQUEST_VALIDATION' && t.from === 'NEW'));

/** Plain links to every PRD version (`?version=n`), the shown one marked; no script. */
function versionSwitcher(taskId: string, versions: readonly number[], shown: number, defaultVersion: number | null): SafeHtml {
  if (versions.length < 2) return html``;
  const base = `/inbox/tasks/${encodeURIComponent(taskId)}`;
  return html`<nav class="versions" aria-label="PRD versions"><span class="muted">Versions:</span> ${versions.map((v) =>
    v === shown
      ? html`<strong aria-current="page" data-version="${v}">v${v}${v === defaultVersion ? ' (current)' : ''}</strong> `
      : html`<a href="${v === defaultVersion ? base : `${base}?version=${v}`}" data-version="${v}">v${v}${v === defaultVersion ? ' (current)' : ''}</a> `,
  )}</nav>`;
}

/** Everything that changes as the workflow moves: swapped in place by the live script. */
export function liveSection(model: TaskPageModel): SafeHtml {
  const { details, viewer, nameOf, fourEyes, defaultPrdVersion } = model;
  const { task, prd } = details;
  const earlier = prd !== null && defaultPrdVersion !== null && prd.version !== defaultPrdVersion;
  // The "submitted" confirmation only while it is still true that nothing has happened.
  const flash = model.flash && (model.flashWhileUntouched !== true || untouched(details)) ? model.flash : undefined;
  const base = `/inbox/tasks/${encodeURIComponent(task.taskId)}`;
  return html`<section id="live" data-task="${task.taskId}" data-stamp="${liveStamp(details, defaultPrdVersion)}" data-status="${task.status}"${earlier ? html` data-version="${prd.version}"` : ''}>
${flash && html`<p class="flash" role="status">${flash}</p>`}
<p class="standing"><span class="status status-${task.status}" id="task-status">${standingOf(details, viewer, nameOf)}</span></p>
${forms(details, viewer, fourEyes)}
<h2>PRD</h2>
${
  prd
    ? html`<div class="prd-tools">${versionSwitcher(task.taskId, details.prdVersions, prd.version, defaultPrdVersion)}${prdDownload(task.taskId, prd.version)}</div>
${earlier && html`<p class="notice" id="earlier-version">This is an earlier version, v${prd.version}. <a href="${base}">Open the current one (v${defaultPrdVersion})</a>.</p>`}
${model.changes && html`<details class="prd-changes"><summary>Changes since v${model.changes.from}</summary>${prdDiffView(model.changes)}</details>`}
${prdDocumentView(prd.version, prd.document, { pageShowsContext: true })}`
    : html`<p class="muted">No PRD yet.</p>`
}
<h2>Questions and answers</h2>
${
  details.clarifications.length === 0
    ? html`<p class="muted">No questions were asked.</p>`
    : html`<dl class="qa" id="qa">${details.clarifications.map((c) => html`<dt class="text">${c.question}</dt><dd class="text">${c.answer ?? html`<span class="muted">not answered yet</span>`}</dd>`)}</dl>`
}
<h2>History</h2>
${timelineView(details.history, nameOf)}
</section>`;
}

export function taskPage(model: TaskPageModel): string {
  const { details, nameOf } = model;
  const { task } = details;
  return page(
    { title: task.title, user: model.viewer, live: true },
    html`<p><a href="/inbox">← Inbox</a></p>
<h1 class="text">${task.title}</h1>
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
