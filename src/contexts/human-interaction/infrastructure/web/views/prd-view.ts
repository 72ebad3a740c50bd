import type { PrdDocument } from '../../../../product-definition/contracts';
import { html, type SafeHtml } from '../html';

const list = (items: readonly string[], empty = 'None.'): SafeHtml =>
  items.length === 0 ? html`<p class="muted">${empty}</p>` : html`<ul>${items.map((item) => html`<li class="text">${item}</li>`)}</ul>`;

type Requirement = PrdDocument['functionalRequirements'][number];

const requirements = (items: readonly Requirement[]): SafeHtml =>
  items.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><thead><tr><th>ID</th><th>Priority</th><th>Requirement</th></tr></thead><tbody>${items.map(
        (r) => html`<tr><td>${r.id}</td><td>${r.priority}</td><td class="text">${r.description}</td></tr>`,
      )}</tbody></table>`;

/** The whole PRD, section by section, from its fields (every field is text someone or the agent wrote). */
export function prdDocumentView(version: number, prd: PrdDocument): SafeHtml {
  return html`<article class="prd" data-prd-version="${version}">
<h3>${prd.title} <span class="muted">(version ${version})</span></h3>
<h4>Problem</h4><p class="text">${prd.problem}</p>
<h4>Goals</h4>${list(prd.goals)}
<h4>Non-goals</h4>${list(prd.nonGoals)}
<h4>User stories</h4>
${prd.userStories.map(
  (s) =>
    html`<div class="story"><p class="text">As ${s.asA}, I want ${s.iWant}, so that ${s.soThat}.</p><p class="muted">Acceptance criteria</p>${list(s.acceptanceCriteria)}</div>`,
)}
<h4>Functional requirements</h4>${requirements(prd.functionalRequirements)}
<h4>Non-functional requirements</h4>${requirements(prd.nonFunctionalRequirements)}
<h4>Success metrics</h4>${list(prd.successMetrics)}
<h4>Assumptions</h4>${list(prd.assumptions)}
<h4>Risks</h4>${list(prd.risks)}
<h4>Open questions</h4>${list(prd.openQuestions)}
<h4>Feedback addressed</h4>${list(prd.feedbackAddressed, 'No feedback yet.')}
<h4>Clarifications used</h4>
${prd.clarificationLog.length === 0 ? html`<p class="muted">None.</p>` : html`<dl class="qa">${prd.clarificationLog.map((c) => html`<dt class="text">${c.question}</dt><dd class="text">${c.answer}</dd>`)}</dl>`}
<h4>Original request</h4><p class="text">${prd.originalRequest}</p>
</article>`;
}

/** What a decision is about, short enough for a link page: problem, goals, requirements. */
export function prdSummaryView(version: number, prd: PrdDocument): SafeHtml {
  return html`<article class="prd" data-prd-version="${version}">
<h3>${prd.title} <span class="muted">(PRD version ${version})</span></h3>
<h4>Problem</h4><p class="text">${prd.problem}</p>
<h4>Goals</h4>${list(prd.goals)}
<h4>Functional requirements</h4>${requirements(prd.functionalRequirements)}
${prd.feedbackAddressed.length > 0 && html`<h4>Feedback addressed</h4>${list(prd.feedbackAddressed)}`}
</article>`;
}
