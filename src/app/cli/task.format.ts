import type { ItemView, PrdDocumentView, SourceView, TaskDetailsView, TaskSummaryView, TransitionView } from './api-client';
import { indent, instant, printable, table } from './terminal-text';

const TITLE_WIDTH = 48;
const truncate = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

/** One task a line, newest first as the server sends them; the id is whole so `show` can take it. */
export function formatTaskList(tasks: readonly TaskSummaryView[]): string {
  if (tasks.length === 0) return 'no tasks\n';
  const rows = tasks.map((t) => [
    printable(t.taskId),
    printable(t.status),
    String(t.version),
    t.prdVersion === null ? '-' : `v${t.prdVersion}`,
    printable(t.priority),
    printable(t.requesterId),
    printable(t.approverId),
    instant(t.updatedAt),
    truncate(printable(t.title), TITLE_WIDTH),
  ]);
  const header = ['ID', 'STATUS', 'VER', 'PRD', 'PRIORITY', 'REQUESTER', 'APPROVER', 'UPDATED', 'TITLE'];
  return `${table(header, rows)}\n${tasks.length} task${tasks.length === 1 ? '' : 's'}\n`;
}

export function formatQuestions(questions: readonly string[]): string {
  return questions.map((q, i) => `  ${i + 1}. ${printable(q)}`).join('\n');
}

function fields(pairs: ReadonlyArray<[string, string]>): string {
  const width = Math.max(...pairs.map(([name]) => name.length)) + 2;
  return pairs.map(([name, value]) => `  ${name.padEnd(width)}${value}`).join('\n');
}

function clarificationsOf(details: TaskDetailsView): string {
  if (details.clarifications.length === 0) return '  (none asked)';
  return details.clarifications
    .map((c, i) => `  Q${i + 1}. ${printable(c.question)}\n      ${c.answer === undefined ? '(not answered yet)' : `A: ${printable(c.answer)}`}`)
    .join('\n');
}

function sourceText(source: SourceView): string {
  switch (source.kind) {
    case 'request':
      return `request: “${printable(source.quote)}”`;
    case 'answer':
    case 'feedback':
      return `${source.kind} ${source.index}: “${printable(source.quote)}”`;
    case 'assumption':
      return `assumption: ${printable(source.reason)}`;
  }
}

/** What a statement rests on, on one line under it. */
const sourcesLine = (sources: readonly SourceView[], by: string) => `${by}↳ ${sources.length === 0 ? '(no source)' : sources.map(sourceText).join('; ')}`;

const bullets = (items: readonly ItemView[]) => items.map((item) => `    - ${printable(item.text)}\n${sourcesLine(item.sources, '        ')}`).join('\n');

function generatedBy(g: PrdDocumentView['generatedBy']): string {
  const who = g.model === null ? printable(g.agent) : `${printable(g.agent)} (${printable(g.model)})`;
  return `    ${who}, prompt ${printable(g.promptVersion)}; ${g.tokensIn} tokens in, ${g.tokensOut} out; ${g.calls} call${g.calls === 1 ? '' : 's'}, ${(g.callMs / 1000).toFixed(1)} s`;
}

function changeLog(d: PrdDocumentView): string {
  return d.changeLog
    .map((c) => {
      const about = c.feedback === null ? 'unrequested' : `feedback ${c.feedback}`;
      const quoted = c.feedback === null ? undefined : d.feedback[c.feedback - 1]?.feedback;
      const ids = [
        c.added.length ? `added ${c.added.join(', ')}` : '',
        c.changed.length ? `changed ${c.changed.join(', ')}` : '',
        c.removed.length ? `removed ${c.removed.join(', ')}` : '',
        c.sections.length ? `sections ${c.sections.join(', ')}` : '',
      ].filter(Boolean);
      const lines = [`    - ${about}: ${printable(c.summary)}`];
      if (quoted !== undefined) lines.push(`        (“${printable(quoted)}”)`);
      if (ids.length) lines.push(`        ${printable(ids.join('; '))}`);
      return lines.join('\n');
    })
    .join('\n');
}

function prdOf(details: TaskDetailsView): string {
  if (!details.prd) return 'PRD\n  (none yet)';
  const { version, document: d } = details.prd;
  const versions = details.prdVersions.length > 1 ? ` (versions ${details.prdVersions.join(', ')})` : '';
  const requirements = [...d.functionalRequirements, ...d.nonFunctionalRequirements].map(
    (r) => `    ${printable(r.id)} [${printable(r.priority)}] ${printable(r.description)}\n${sourcesLine(r.sources, '        ')}`,
  );
  const stories = d.userStories.map((s) =>
    [
      `    - As ${printable(s.asA)}, I want ${printable(s.iWant)}, so that ${printable(s.soThat)}.`,
      sourcesLine(s.sources, '        '),
      ...s.acceptanceCriteria.map((c) => `        accepted when: ${printable(c.text)}\n${sourcesLine(c.sources, '          ')}`),
    ].join('\n'),
  );
  const optional = (name: string, items: readonly ItemView[]): Array<[string, string]> => (items.length ? [[name, bullets(items)]] : []);
  const sections: Array<[string, string]> = [
    ['Written by', generatedBy(d.generatedBy)],
    ...(d.changeLog.length ? ([['Changes in this version', changeLog(d)]] as Array<[string, string]>) : []),
    ['Problem', `    ${printable(d.problem)}`],
    ['Goals', bullets(d.goals)],
    ...optional('Non-goals', d.nonGoals),
    ['User stories', stories.join('\n')],
    ['Requirements', requirements.join('\n')],
    ['Success metrics', d.successMetrics.length ? bullets(d.successMetrics) : '    (none)'],
    ...optional('Assumptions', d.assumptions),
    ...optional('Risks', d.risks),
    ...optional('Open questions', d.openQuestions),
  ];
  return [`PRD v${version}${versions}: ${printable(d.title)}`, ...sections.map(([name, body]) => `  ${name}\n${body}`)].join('\n');
}

/** What came with a transition: the questions asked, the answers, the feedback, a reason. */
function detailsOf(t: TransitionView): string[] {
  const lines: string[] = [];
  if (t.prdVersion !== undefined && (t.to === 'PRD_VALIDATION' || t.from === 'PRD_VALIDATION')) lines.push(`PRD v${t.prdVersion}`);
  for (const q of t.questions ?? []) lines.push(`asked: ${printable(q)}`);
  for (const a of t.answers ?? []) lines.push(`answered: ${printable(a.answer)}`);
  if (t.feedback) lines.push(`feedback: ${printable(t.feedback)}`);
  if (t.reason) lines.push(`reason: ${printable(t.reason)}`);
  return lines;
}

function historyOf(history: readonly TransitionView[]): string {
  const rows = history.map((t) => [
    instant(t.at),
    `v${t.version}`,
    `${t.from === null ? '(new)' : printable(t.from)} → ${printable(t.to)}`,
    printable(t.actor),
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return history
    .map((t, i) => {
      const row = rows[i] ?? [];
      const head = `  ${row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  ')}`;
      return [head, ...detailsOf(t).map((line) => `      ${line}`)].join('\n');
    })
    .join('\n');
}

/** `refinery show`: the task as a person reads it, top to bottom: what, where it is, what was said, what was written, how it got here. */
export function formatTaskDetails(details: TaskDetailsView): string {
  const t = details.task;
  const summary = fields([
    ['task', printable(t.taskId)],
    ['status', `${printable(t.status)} (v${t.version})`],
    ['priority', printable(t.priority)],
    ['requester', printable(t.requesterId)],
    ['approver', printable(t.approverId)],
    ['created', instant(t.createdAt)],
    ['updated', instant(t.updatedAt)],
  ]);
  return (
    [
      `${printable(t.title)}\n${summary}`,
      `Request\n${indent(printable(t.description, true))}`,
      `Clarifications\n${clarificationsOf(details)}`,
      prdOf(details),
      `History\n${historyOf(details.history)}`,
    ].join('\n\n') + '\n'
  );
}
