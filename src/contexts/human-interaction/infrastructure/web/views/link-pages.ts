import type { LinkRefused, LinkTarget } from '../../../application/act-on-link/act-on-link.service';
import type { LinkRefusal } from '../../../domain/action-link';
import type { RequestIssue } from '../../../domain/human-interaction.errors';
import { html, type SafeHtml } from '../html';
import { linkPath } from '../../links/notification-action-links';
import { messagePage, page } from './layout';
import { prdDocumentView } from './prd-view';
import { STATUS_WORDS } from './status-words';
import { describeAlert } from '../../../application/alerts/alert-content';

const taskHref = (taskId: string) => `/inbox/tasks/${encodeURIComponent(taskId)}`;

export interface LinkFormModel {
  readonly token: string;
  readonly target: LinkTarget;
  /** After a refused submission: what was wrong, and what the person typed (kept). */
  readonly issues?: readonly RequestIssue[];
  readonly typed?: { readonly answers?: readonly string[]; readonly feedback?: string };
}

const HEADINGS = { answer: 'Answer the questions', approve: 'Approve the PRD', reject: 'Reject the PRD', redrive: 'Re-drive the task' } as const;

function intro({ target }: LinkFormModel): SafeHtml {
  const { claims, user, view } = target;
  if (claims.action === 'redrive') {
    const facts = target.alert ? describeAlert(target.alert, 'raised').facts : [];
    return html`<p>This link asks orchestration to send again what <strong class="text">${view.title}</strong> is owed in ${view.status}, as its scanner does when a step may have been lost. Do it once whatever stopped the task (a process that was down, say) is back. It works once, for ${user.name} only; a re-drive of the same stall from another link does nothing more.</p>
<div class="card"><h2>The stall</h2><ul id="alert-facts">${facts.map((fact) => html`<li>${fact}</li>`)}</ul></div>
<div class="card"><h2>Request</h2><div class="text" id="description">${view.description}</div></div>`;
  }
  const what =
    claims.action === 'answer'
      ? html`This link sends ${user.name}'s answers to the agent's questions about`
      : html`This link records ${user.name}'s decision to ${claims.action} PRD version ${claims.prdVersion} of`;
  return html`<p>${what} <strong class="text">${view.title}</strong>. It works once, for ${user.name} only.</p>
<div class="card"><h2>Request</h2><div class="text" id="description">${view.description}</div></div>`;
}

function form(model: LinkFormModel): SafeHtml {
  const { token, target, typed } = model;
  const action = linkPath(token);
  if (target.claims.action === 'answer') {
    return html`<form class="card action" method="post" action="${action}">
${target.questions.map(
  (q, i) =>
    html`<label for="answer-${i}" class="text">${q}</label><textarea id="answer-${i}" name="answer-${i}" required maxlength="10000">${typed?.answers?.[i] ?? ''}</textarea>`,
)}
<p><button type="submit">Send answers</button></p>
</form>`;
  }
  if (target.claims.action === 'redrive') {
    return html`<form class="card action" method="post" action="${action}">
<input type="hidden" name="confirm" value="redrive">
<button type="submit">Re-drive now</button>
</form>`;
  }
  if (target.claims.action === 'approve') {
    return html`<form class="card action" method="post" action="${action}">
<input type="hidden" name="confirm" value="approve">
<button type="submit">Approve version ${target.claims.prdVersion}</button>
</form>`;
  }
  return html`<form class="card action" method="post" action="${action}">
<input type="hidden" name="confirm" value="reject">
<label for="feedback">What must the next version change?</label>
<textarea id="feedback" name="feedback" required maxlength="10000">${typed?.feedback ?? ''}</textarea>
<p><button class="danger" type="submit">Reject with feedback</button></p>
</form>`;
}

/** What the link does and the one form that does it. Nothing happens until the form is sent. */
export function linkFormPage(model: LinkFormModel): string {
  const { target, issues } = model;
  return page(
    { title: HEADINGS[target.claims.action], user: null },
    html`<h1>${HEADINGS[target.claims.action]}</h1>
${intro(model)}
${issues && issues.length > 0 && html`<div class="error" role="alert"><p>Nothing was sent:</p><ul>${issues.map((i) => html`<li>${i.field}: ${i.message}</li>`)}</ul></div>`}
${target.prd && html`<h2>${target.claims.action === 'approve' || target.claims.action === 'reject' ? `The PRD you decide on: version ${target.claims.prdVersion}` : 'The PRD so far'}</h2>${prdDocumentView(target.prd.version, target.prd.document, { pageShowsContext: false })}`}
${form(model)}
<p><a href="${taskHref(target.claims.taskId)}">Open the task</a></p>`,
  );
}

const DONE = { answer: 'Your answers were sent', approve: 'You approved the PRD', reject: 'You rejected the PRD', redrive: 'Re-drive sent' } as const;
const DONE_NEXT = {
  answer: 'The agent works on them now; you will be notified when the PRD is ready or if it has more questions.',
  approve: 'The requester will be notified.',
  reject: 'The agent writes the next version with your feedback; you will be notified when it is ready.',
  redrive: 'Orchestration sends again what the task is owed; you will be notified when it moves on.',
} as const;

export function linkDonePage(target: LinkTarget): string {
  const { action, taskId } = target.claims;
  return messagePage(
    { title: DONE[action], user: null, heading: DONE[action], kind: 'flash' },
    html`<p><strong class="text">${target.view.title}</strong>: ${DONE_NEXT[action]}</p>`,
    html`<a href="${taskHref(taskId)}">Open the task</a> to follow it.`,
  );
}

export const REFUSAL_STATUS: Record<LinkRefusal, number> = { malformed: 400, tampered: 400, expired: 410, used: 409, superseded: 409, 'not-allowed': 403 };

const REFUSAL_HEADING: Record<LinkRefusal, string> = {
  malformed: 'This link is incomplete',
  tampered: 'This link was altered',
  expired: 'This link has expired',
  used: 'This link was already used',
  superseded: 'This link is out of date',
  'not-allowed': 'This link is not for you any more',
};

/** Why the link did nothing, and where the task stands now. `taskId` may come from an untrusted link. */
export function linkRefusedPage(refusal: LinkRefused, taskId: string | null): string {
  return messagePage(
    { title: REFUSAL_HEADING[refusal.reason], user: null, heading: REFUSAL_HEADING[refusal.reason] },
    html`<p class="text" data-refusal="${refusal.reason}">${refusal.message}</p>${refusal.status && html`<p>The task is now <span class="status status-${refusal.status}">${STATUS_WORDS[refusal.status]}</span>.</p>`}`,
    taskId ? html`<a href="${taskHref(taskId)}">Open the task</a> to see its current state.` : html`<a href="/inbox">Go to your inbox</a>.`,
  );
}
