import type { PrdDocument, PrdRequirement, PrdSource, SourcedItem } from '../../product-definition/contracts';
import { changeText, generationText, sourceText } from './prd-text';

/**
 * Text a person or the agent wrote, made inert in Markdown: it reads the same but cannot become
 * a heading, list, quote, link, image, code span or block, emphasis, strikethrough, table or raw
 * HTML.
 *
 * What is escaped: line breaks become spaces (a statement stays one paragraph or list item, and
 * nothing can start a new block) and the ends are trimmed (no indented code block); `\` `` ` ``
 * `*` `_` `[` `]` `(` `)` `!` `|` `~` get a backslash wherever they are; `&`, `<` and `>` become
 * `&amp;`, `&lt;` and `&gt;` (no tag, autolink, entity or quote survives, even in renderers that
 * pass HTML through); and at the start of the text a `#`, `+`, `-` or `=`, or digits followed by
 * `.` or `)`, get a backslash (no heading, list item or setext underline).
 */
export function markdownText(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .trim()
    .replace(/[\\`*_[\]()!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/^[#+=-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * Longer text (the problem, the original request) keeps its paragraphs and line breaks: each
 * line escaped as markdownText does, lines of a paragraph joined by a hard break (a trailing
 * backslash), paragraphs by a blank line.
 */
export function markdownBlock(text: string): string {
  return text
    .split(/(?:\r\n?|\n)\s*(?:\r\n?|\n)/)
    .map((paragraph) =>
      paragraph
        .split(/\r\n?|\n/)
        .map(markdownText)
        .filter((line) => line.length > 0)
        .join('\\\n'),
    )
    .filter((paragraph) => paragraph.length > 0)
    .join('\n\n');
}

const sourcesOf = (sources: readonly PrdSource[]): string =>
  sources.length === 0 ? ' _(no source)_' : `\n${sources.map((s) => `  - Source: ${markdownText(sourceText(s))}`).join('\n')}`;

const items = (list: readonly SourcedItem[]): string =>
  list.length === 0 ? '_None._' : list.map((item) => `- ${markdownText(item.text)}${sourcesOf(item.sources)}`).join('\n');

const requirements = (list: readonly PrdRequirement[]): string =>
  list.length === 0
    ? '_None._'
    : list.map((r) => `- **${markdownText(r.id)}** (${markdownText(r.priority)}): ${markdownText(r.description)}${sourcesOf(r.sources)}`).join('\n');

function userStories(prd: PrdDocument): string {
  return prd.userStories
    .map((s, i) => {
      const criteria = s.acceptanceCriteria.map((c) => `  - ${markdownText(c.text)}${sourcesOf(c.sources).replace(/\n {2}/g, '\n    ')}`).join('\n');
      return `${i + 1}. As ${markdownText(s.asA)}, I want ${markdownText(s.iWant)}, so that ${markdownText(s.soThat)}.${sourcesOf(s.sources).replace(/\n {2}/g, '\n   ')}\n\n   Acceptance criteria:\n\n${criteria.replace(/^ {2}/gm, '   ')}`;
    })
    .join('\n\n');
}

/**
 * The whole PRD version as a Markdown document: every section the web page shows, each statement
 * with its sources, the change log and who wrote it. The one renderer behind
 * `GET /api/tasks/:id/prd.md`, the inbox download and `refinery show --markdown`.
 */
export function prdMarkdown(version: number, prd: PrdDocument): string {
  const sections: Array<[string, string]> = [
    ['Problem', markdownBlock(prd.problem)],
    ['Goals', items(prd.goals)],
    ['Non-goals', items(prd.nonGoals)],
    ['User stories', userStories(prd)],
    ['Functional requirements', requirements(prd.functionalRequirements)],
    ['Non-functional requirements', requirements(prd.nonFunctionalRequirements)],
    ['Success metrics', items(prd.successMetrics)],
    ['Assumptions', items(prd.assumptions)],
    ['Risks', items(prd.risks)],
    ['Open questions', items(prd.openQuestions)],
    [
      'Feedback so far',
      prd.feedback.length === 0 ? '_None._' : prd.feedback.map((f, i) => `${i + 1}. On version ${f.prdVersion}: ${markdownText(f.feedback)}`).join('\n'),
    ],
    [
      'Clarifications used',
      prd.clarificationLog.length === 0
        ? '_None._'
        : prd.clarificationLog.map((c, i) => `${i + 1}. **Q:** ${markdownText(c.question)}\n\n   **A:** ${markdownText(c.answer)}`).join('\n\n'),
    ],
    ['Original request', markdownBlock(prd.originalRequest)],
    [
      'Change log',
      prd.changeLog.length === 0
        ? '_No changes recorded (a first version)._'
        : prd.changeLog.map((c) => `- ${markdownText(changeText(c, prd.feedback))}`).join('\n'),
    ],
    ['Written by', markdownText(generationText(prd.generatedBy))],
  ];
  return `# ${markdownText(prd.title)}\n\nPRD version ${version}\n\n${sections.map(([heading, body]) => `## ${heading}\n\n${body}\n`).join('\n')}`;
}

/** `<slug>-v<n>.md`: the title in lowercase ASCII letters and digits joined by hyphens ("prd" when none is left). */
export function prdFileName(title: string, version: number): string {
  const slug =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'prd';
  return `${slug}-v${version}.md`;
}
