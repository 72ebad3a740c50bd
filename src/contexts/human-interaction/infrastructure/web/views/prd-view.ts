import type { PrdDocument, PrdSource, SourcedItem } from '../../../../product-definition/contracts';
import type { PrdDiff, PrdDiffSection, RequirementDiff, WordChange } from '../../../application/prd-diff/prd-diff';
import { changeText, sourceText } from '../../../application/prd-text';
import { html, type SafeHtml } from '../html';

/** What a statement rests on, folded: one line a source, or a warning that it has none. */
function sourcesView(sources: readonly PrdSource[]): SafeHtml {
  if (sources.length === 0) return html` <span class="no-sources muted">(no source)</span>`;
  const label = `${sources.length} source${sources.length === 1 ? '' : 's'}`;
  return html`<details class="sources"><summary>${label}</summary><ul>${sources.map((s) => html`<li class="text source-${s.kind}">${sourceText(s)}</li>`)}</ul></details>`;
}

const list = (items: readonly SourcedItem[], empty = 'None.'): SafeHtml =>
  items.length === 0
    ? html`<p class="muted">${empty}</p>`
    : html`<ul>${items.map((item) => html`<li><span class="text">${item.text}</span>${sourcesView(item.sources)}</li>`)}</ul>`;

type Requirement = PrdDocument['functionalRequirements'][number];

const requirements = (items: readonly Requirement[]): SafeHtml =>
  items.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><thead><tr><th>ID</th><th>Priority</th><th>Requirement</th></tr></thead><tbody>${items.map(
        (r) =>
          html`<tr data-requirement="${r.id}"><td>${r.id}</td><td>${r.priority}</td><td><span class="text">${r.description}</span>${sourcesView(r.sources)}</td></tr>`,
      )}</tbody></table>`;

function generatedByView(g: PrdDocument['generatedBy']): SafeHtml {
  return html`<dl class="meta generated-by">
<dt>Agent</dt><dd>${g.agent}</dd>
<dt>Model</dt><dd>${g.model ?? 'none'}</dd>
<dt>Prompt version</dt><dd>${g.promptVersion}</dd>
<dt>Tokens in</dt><dd>${g.tokensIn}</dd>
<dt>Tokens out</dt><dd>${g.tokensOut}</dd>
<dt>Model calls</dt><dd>${g.calls}</dd>
<dt>Call time</dt><dd>${(g.callMs / 1000).toFixed(1)} s</dd>
</dl>`;
}

function changeLogView(prd: PrdDocument): SafeHtml {
  if (prd.changeLog.length === 0) return html`<p class="muted">No changes recorded (a first version).</p>`;
  return html`<ul class="change-log">${prd.changeLog.map((c) => html`<li class="text">${changeText(c, prd.feedback)}</li>`)}</ul>`;
}

export interface PrdViewOptions {
  /**
   * Whether the page around the PRD shows the questions and answers, the feedback and the request
   * itself (the task page does, once each): then the document leaves those sections out rather
   * than repeating them. A link page shows the PRD standing alone, every section.
   */
  readonly pageShowsContext: boolean;
}

/** A section with nothing in it: its name and "none" on one line. */
const emptySection = (name: string): SafeHtml => html`<p class="empty-section"><strong>${name}:</strong> <span class="muted">none.</span></p>`;

const listSection = (name: string, items: readonly SourcedItem[]): SafeHtml => (items.length === 0 ? emptySection(name) : html`<h4>${name}</h4>${list(items)}`);

const requirementSection = (name: string, items: readonly Requirement[]): SafeHtml =>
  items.length === 0 ? emptySection(name) : html`<h4>${name}</h4>${requirements(items)}`;

/**
 * The whole PRD, section by section, from its fields (every field is text someone or the agent
 * wrote). Each statement carries its sources, folded in a `<details>`. The one renderer of a PRD
 * on a page: the task page and the link pages both use it.
 */
export function prdDocumentView(version: number, prd: PrdDocument, options: PrdViewOptions): SafeHtml {
  const standalone = !options.pageShowsContext;
  return html`<article class="prd" data-prd-version="${version}">
<h3>${prd.title} <span class="muted">(version ${version})</span></h3>
<h4>Written by</h4>${generatedByView(prd.generatedBy)}
<h4>Change log</h4>${changeLogView(prd)}
<h4>Problem</h4><p class="text">${prd.problem}</p>
${listSection('Goals', prd.goals)}
${listSection('Non-goals', prd.nonGoals)}
${
  prd.userStories.length === 0
    ? emptySection('User stories')
    : html`<h4>User stories</h4>
${prd.userStories.map(
  (s) =>
    html`<div class="story"><div class="story-text"><span class="text">As ${s.asA}, I want ${s.iWant}, so that ${s.soThat}.</span>${sourcesView(s.sources)}</div><p class="muted">Acceptance criteria</p>${list(s.acceptanceCriteria)}</div>`,
)}`
}
${requirementSection('Functional requirements', prd.functionalRequirements)}
${requirementSection('Non-functional requirements', prd.nonFunctionalRequirements)}
${listSection('Success metrics', prd.successMetrics)}
${listSection('Assumptions', prd.assumptions)}
${listSection('Risks', prd.risks)}
${listSection('Open questions', prd.openQuestions)}
${standalone && prd.feedback.length > 0 && html`<h4>Feedback so far</h4><ol class="feedback">${prd.feedback.map((f) => html`<li class="text">On version ${f.prdVersion}: ${f.feedback}</li>`)}</ol>`}
${
  standalone &&
  (prd.clarificationLog.length === 0
    ? emptySection('Clarifications used')
    : html`<h4>Clarifications used</h4><dl class="qa">${prd.clarificationLog.map((c, i) => html`<dt class="text">${i + 1}. ${c.question}</dt><dd class="text">${c.answer}</dd>`)}</dl>`)
}
${standalone && html`<h4>Original request</h4><p class="text">${prd.originalRequest}</p>`}
</article>`;
}

const SECTION_NAMES: Record<PrdDiffSection, string> = {
  title: 'Title',
  problem: 'Problem',
  goals: 'Goals',
  nonGoals: 'Non-goals',
  userStories: 'User stories',
  acceptanceCriteria: 'Acceptance criteria',
  successMetrics: 'Success metrics',
  assumptions: 'Assumptions',
  risks: 'Risks',
  openQuestions: 'Open questions',
};

const words = (changes: readonly WordChange[]): SafeHtml =>
  html`${changes.map((w) => (w.kind === 'added' ? html`<ins>${w.text}</ins>` : w.kind === 'removed' ? html`<del>${w.text}</del>` : w.text))}`;

function requirementRow(r: RequirementDiff): SafeHtml {
  switch (r.status) {
    case 'changed': {
      const priority = r.priority.from === r.priority.to ? html`${r.priority.to}` : html`<del>${r.priority.from}</del> → <ins>${r.priority.to}</ins>`;
      return html`<tr class="diff-changed" data-requirement="${r.id}"><td>${r.id}</td><td>changed</td><td>${priority}</td><td class="text">${words(r.description.words)}</td></tr>`;
    }
    case 'added':
      return html`<tr class="diff-added" data-requirement="${r.id}"><td>${r.id}</td><td>added</td><td>${r.priority}</td><td class="text"><ins>${r.description}</ins></td></tr>`;
    case 'removed':
      return html`<tr class="diff-removed" data-requirement="${r.id}"><td>${r.id}</td><td>removed</td><td>${r.priority}</td><td class="text"><del>${r.description}</del></td></tr>`;
    case 'unchanged':
      return html`<tr class="diff-unchanged muted" data-requirement="${r.id}"><td>${r.id}</td><td>unchanged</td><td>${r.priority}</td><td class="text">${r.description}</td></tr>`;
  }
}

/** What a version changed from an earlier one: requirement by requirement (word changes marked), then the other sections. */
export function prdDiffView(diff: PrdDiff): SafeHtml {
  return html`<section class="card prd-diff" id="prd-diff" data-from="${diff.from}" data-to="${diff.to}">
<h3>Changes from v${diff.from} <span class="muted">(to version ${diff.to})</span></h3>
<h4>Requirements</h4>
${
  diff.requirements.length === 0
    ? html`<p class="muted">None in either version.</p>`
    : html`<table><thead><tr><th>ID</th><th>Change</th><th>Priority</th><th>Requirement</th></tr></thead><tbody>${diff.requirements.map(requirementRow)}</tbody></table>`
}
<h4>Other sections</h4>
${
  diff.sections.length === 0
    ? html`<p class="muted">No other section changed.</p>`
    : diff.sections.map(
        (s) =>
          html`<div class="section-diff" data-section="${s.section}"><h5>${SECTION_NAMES[s.section]}</h5><ul>${s.removed.map((t) => html`<li class="text"><del>${t}</del></li>`)}${s.added.map((t) => html`<li class="text"><ins>${t}</ins></li>`)}</ul></div>`,
      )
}
</section>`;
}
