import type { RequestIssue } from '../../../domain/human-interaction.errors';
import { issueFor } from '../form-validation';
import { html, type SafeHtml } from '../html';

/** The list of what was wrong with a form, above it (also the issues no field shows). */
export function issuesSummary(issues: readonly RequestIssue[] | undefined, lead = 'Nothing was saved:'): SafeHtml {
  if (!issues || issues.length === 0) return html``;
  return html`<div class="error" role="alert"><p>${lead}</p><ul>${issues.map((i) => html`<li>${i.field}: ${i.message}</li>`)}</ul></div>`;
}

/** The message under one field (which it names by being there), tied to it for screen readers. */
export function fieldError(issues: readonly RequestIssue[] | undefined, field: string): SafeHtml {
  const message = issueFor(issues, field);
  return message === undefined ? html`` : html`<p class="field-error" id="${field}-error">${message.charAt(0).toUpperCase()}${message.slice(1)}.</p>`;
}

/** The attributes that mark a field invalid and point at its message. */
export function invalidAttributes(issues: readonly RequestIssue[] | undefined, field: string): SafeHtml {
  return issueFor(issues, field) === undefined ? html`` : html` aria-invalid="true" aria-describedby="${field}-error"`;
}
