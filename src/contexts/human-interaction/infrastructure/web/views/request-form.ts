import { TASK_PRIORITIES } from '../../../../task-management/contracts';
import type { RequestIssue } from '../../../domain/human-interaction.errors';
import type { User } from '../../../domain/user';
import { html } from '../html';
import { fieldError, invalidAttributes, issuesSummary } from './form-parts';
import { page } from './layout';

/** What the person typed, kept when the form comes back with a problem. */
export interface TypedRequest {
  readonly title: string;
  readonly description: string;
  readonly priority: string;
  readonly approverId: string;
}

export const EMPTY_REQUEST: TypedRequest = { title: '', description: '', priority: 'normal', approverId: '' };

export interface RequestFormModel {
  readonly user: User;
  readonly typed?: TypedRequest;
  readonly issues?: readonly RequestIssue[];
}

/** A new feature request: what is wanted, for whom and why. The agent asks about what is missing. */
export function requestFormPage(model: RequestFormModel): string {
  const { user, issues } = model;
  const typed = model.typed ?? EMPTY_REQUEST;
  return page(
    { title: 'New request', user },
    html`<p><a href="/inbox">← Inbox</a></p>
<h1>New request</h1>
<p class="muted">Say what is wanted, for whom, why, and how you will know it works: the more the description says, the fewer questions the agent comes back with.</p>
${issuesSummary(issues, 'Nothing was submitted:')}
<form class="card" method="post" action="/inbox/requests">
<label for="title">Title</label>
<input type="text" id="title" name="title" required maxlength="200" value="${typed.title}"${invalidAttributes(issues, 'title')}>
${fieldError(issues, 'title')}
<label for="description">Description</label>
<textarea id="description" name="description" required maxlength="20000"${invalidAttributes(issues, 'description')}>${typed.description}</textarea>
${fieldError(issues, 'description')}
<label for="priority">Priority</label>
<select id="priority" name="priority"${invalidAttributes(issues, 'priority')}>${TASK_PRIORITIES.map(
      (p) => html`<option value="${p}"${p === typed.priority ? html` selected` : html``}>${p}</option>`,
    )}</select>
${fieldError(issues, 'priority')}
<label for="approverId">Approver <span class="muted">(optional: a person's id; empty for the first configured approver other than you)</span></label>
<input type="text" id="approverId" name="approverId" maxlength="200" value="${typed.approverId}"${invalidAttributes(issues, 'approverId')}>
${fieldError(issues, 'approverId')}
<p><button type="submit">Submit the request</button></p>
</form>`,
  );
}
