import type { DeliveryContent, DeliveryLink } from '../../../application/deliver-notifications/delivery-content';
// The inbox pages' template tag: one escaping rule for every HTML a person reads.
import { html, type SafeHtml } from '../../web/html';

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

function labelOf(link: DeliveryLink, prdVersion: number | null): string {
  switch (link.action) {
    case 'answer':
      return 'Answer the questions';
    case 'approve':
      return `Approve PRD version ${prdVersion ?? ''}`.trim();
    case 'reject':
      return 'Reject with feedback';
    case 'redrive':
      return 'Re-drive now';
  }
}

const indent = (text: string, prefix = '    '): string =>
  text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');

function textBody(c: DeliveryContent): string {
  const parts: string[] = [`Hello ${c.recipientName},`, c.headline];
  if (c.facts && c.facts.length > 0) parts.push(c.facts.map((fact) => `  - ${fact}`).join('\n'));
  if (c.task) parts.push(`Task: ${c.task.title}\n${indent(c.task.description)}`);
  if (c.questions.length > 0) parts.push(['Questions:', ...c.questions.map((q, i) => `  ${i + 1}. ${q}`)].join('\n'));
  if (c.prd) {
    const p = c.prd;
    const lines = [`PRD version ${p.version}: ${p.title}`, `Problem: ${p.problem}`, 'Goals:', ...p.goals.map((g) => `  - ${g}`), 'Requirements:'];
    lines.push(...p.requirements.map((r) => `  - ${r.id} (${r.priority}) ${r.description}`), 'Success metrics:', ...p.successMetrics.map((m) => `  - ${m}`));
    if (p.openQuestions.length > 0) lines.push('Open questions:', ...p.openQuestions.map((q) => `  - ${q}`));
    if (p.changes.length > 0) lines.push('Changes in this version:', ...p.changes.map((c) => `  - ${c}`));
    lines.push(`Written by: ${p.generatedBy}`);
    parts.push(lines.join('\n'));
  }
  if (c.links.length > 0) {
    parts.push([...c.links.map((l) => `${labelOf(l, c.prdVersion)}: ${l.url}`), 'Each link is for you only and works once.'].join('\n'));
  }
  parts.push(c.task ? `The task, its PRD and its history: ${c.taskUrl}` : `The workers and what each runs: ${c.taskUrl}`);
  return `${parts.join('\n\n')}\n`;
}

const list = (items: readonly string[]): SafeHtml => html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`;

function prdHtml(c: DeliveryContent): SafeHtml | null {
  const p = c.prd;
  if (!p) return null;
  return html`<h3>PRD version ${p.version}: ${p.title}</h3>
<p><strong>Problem:</strong> ${p.problem}</p>
<p><strong>Goals</strong></p>${list(p.goals)}
<p><strong>Requirements</strong></p><ul>${p.requirements.map((r) => html`<li>${r.id} (${r.priority}) ${r.description}</li>`)}</ul>
<p><strong>Success metrics</strong></p>${list(p.successMetrics)}
${p.openQuestions.length > 0 ? html`<p><strong>Open questions</strong></p>${list(p.openQuestions)}` : null}
${p.changes.length > 0 ? html`<p><strong>Changes in this version</strong></p>${list(p.changes)}` : null}
<p style="color:#666">Written by: ${p.generatedBy}</p>`;
}

function htmlBody(c: DeliveryContent): string {
  const button = (l: DeliveryLink) =>
    html`<a href="${l.url}" style="display:inline-block;padding:8px 14px;margin-right:8px;border-radius:4px;background:#1f6feb;color:#fff;text-decoration:none">${labelOf(l, c.prdVersion)}</a>`;
  return html`<!doctype html>
<html><head><meta charset="utf-8"><title>${c.subject}</title></head>
<body style="font-family:sans-serif;line-height:1.4;max-width:40em">
<p>Hello ${c.recipientName},</p>
<p>${c.headline}</p>
${c.facts && c.facts.length > 0 ? list(c.facts) : null}
${
  c.task
    ? html`<h2>${c.task.title}</h2>
<p style="white-space:pre-wrap">${c.task.description}</p>`
    : null
}
${c.questions.length > 0 ? html`<h3>Questions</h3><ol>${c.questions.map((q) => html`<li>${q}</li>`)}</ol>` : null}
${prdHtml(c)}
${c.links.length > 0 ? html`<p>${c.links.map(button)}</p><p style="color:#666">Each link is for you only and works once.</p>` : null}
${c.task ? html`<p><a href="${c.taskUrl}">Open the task</a>: its PRD and its history.</p>` : html`<p><a href="${c.taskUrl}">Open the workers page</a>: every process and what it runs.</p>`}
</body></html>
`.toString();
}

/** The plain-text and HTML bodies of a notification email, saying the same things. */
export function renderEmail(c: DeliveryContent): RenderedEmail {
  return { subject: c.subject, text: textBody(c), html: htmlBody(c) };
}
