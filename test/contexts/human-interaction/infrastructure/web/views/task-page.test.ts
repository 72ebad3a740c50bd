import { diffPrdVersions } from '../../../../../../src/contexts/human-interaction/application/prd-diff/prd-diff';
import type { TaskDetails } from '../../../../../../src/contexts/human-interaction/application/queries/task-queries.service';
import { prdDocumentView } from '../../../../../../src/contexts/human-interaction/infrastructure/web/views/prd-view';
import { clarificationsOf } from '../../../../../../src/contexts/human-interaction/domain/clarifications';
import type { Transition } from '../../../../../../src/contexts/task-management/contracts';
import { type TaskPageModel, taskPage } from '../../../../../../src/contexts/human-interaction/infrastructure/web/views/task-page';
import type { PrdDocument } from '../../../../../../src/contexts/product-definition/contracts';
import { aPrdDocument, aRevisedPrdDocument, REVISION_FEEDBACK } from '../../../../../support/prd-document';
import { sectionsMissingFrom } from '../../../../../support/prd-sections';

const HOSTILE = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

const bob = { id: 'bob', name: 'Bob', roles: ['approver'] as const };

function detailsWith(versions: ReadonlyArray<{ version: number; document: PrdDocument }>): TaskDetails {
  const shown = versions.at(-1);
  return {
    task: {
      taskId: 't-1',
      title: 'Add dark mode',
      description: 'The dashboard is too bright at night for night-shift operators.',
      status: 'PRD_VALIDATION',
      version: 7,
      requesterId: 'alice',
      approverId: 'bob',
      priority: 'normal',
      prdVersion: shown?.version ?? null,
      createdAt: '2026-01-05T10:00:00.000Z',
      updatedAt: '2026-01-05T10:05:00.000Z',
    },
    history: [],
    clarifications: [],
    prd: shown ?? null,
    prdVersions: versions.map((v) => v.version),
  };
}

/** The task page for PRD versions given oldest first, with the diff of the last from the one before (as the route builds it). */
function pageFor(...documents: PrdDocument[]): string {
  const versions = documents.map((document, i) => ({ version: i + 1, document }));
  const [previous, shown] = versions.slice(-2);
  const changes = versions.length >= 2 && previous && shown ? diffPrdVersions(previous, shown) : null;
  return taskPage({ details: detailsWith(versions), changes, defaultPrdVersion: shown?.version ?? null, viewer: bob, nameOf: (id) => id, fourEyes: true });
}

/** The markup of the element that starts with `opening`, up to `closing`. */
function fragment(page: string, opening: string, closing: string): string {
  const start = page.indexOf(opening);
  if (start < 0) throw new Error(`no ${opening} in the page`);
  return page.slice(start, page.indexOf(closing, start) + closing.length);
}

describe('the task page', () => {
  it("shows each statement's sources in a details element, and says so when a statement has none", () => {
    const page = pageFor(aRevisedPrdDocument());
    const fr2 = fragment(page, '<tr data-requirement="FR-2">', '</tr>');
    expect(fr2).toContain('Remember the chosen theme per user');
    expect(fr2).toContain(
      '<details class="sources"><summary>1 source</summary><ul><li class="text source-feedback">feedback 1: “remember the choice”</li></ul></details>',
    );
    expect(page).toContain('<li class="text source-request">request: “too bright at night”</li>');
    expect(page).toContain('<li class="text source-request">request: “night-shift operators”</li>'); // the user story
    expect(page).toContain('<li class="text source-request">request: “Add dark mode”</li>'); // its acceptance criterion
    const openQuestion = fragment(page, '<span class="text">How will we measure that operators rest their eyes?</span>', '</li>');
    expect(openQuestion).toContain('(no source)');
  });

  it('names answer and assumption sources by what they are', () => {
    const document = aPrdDocument({
      assumptions: [
        {
          text: 'Operators use the dashboard on desktops',
          sources: [
            { kind: 'answer', index: 2, quote: 'on our desktops' },
            { kind: 'assumption', reason: 'nobody mentioned phones' },
          ],
        },
      ],
    });
    const assumption = fragment(pageFor(document), '<span class="text">Operators use the dashboard on desktops</span>', '</details>');
    expect(assumption).toContain('<summary>2 sources</summary>');
    expect(assumption).toContain('answer 2: “on our desktops”');
    expect(assumption).toContain('assumption: nobody mentioned phones');
  });

  it('shows who wrote the version and its change log, with the feedback each entry answers', () => {
    const page = pageFor(aPrdDocument(), aRevisedPrdDocument());
    const writtenBy = fragment(page, '<dl class="meta generated-by">', '</dl>');
    for (const shown of ['<dd>llm</dd>', '<dd>qwen2.5-7b-instruct</dd>', '<dd>prd/3</dd>', '<dd>1840</dd>', '<dd>612</dd>', '<dd>2</dd>', '<dd>4.2 s</dd>']) {
      expect(writtenBy).toContain(shown);
    }
    expect(fragment(page, '<ul class="change-log">', '</ul>')).toContain(
      `For feedback 1 (“${REVISION_FEEDBACK}”): Added a high-contrast theme and remembering the choice [added FR-2; changed FR-1; sections goals]`,
    );
    // The feedback itself is in the timeline ("Bob rejected v1: …"); a link page's PRD, standing alone, lists it.
    expect(prdDocumentView(2, aRevisedPrdDocument(), { pageShowsContext: false }).toString()).toContain(
      `<li class="text">On version 1: ${REVISION_FEEDBACK}</li>`,
    );
  });

  it('shows what the latest version changed from the one before, requirement by requirement, words marked', () => {
    const page = pageFor(aPrdDocument(), aRevisedPrdDocument());
    const diff = fragment(page, '<section class="card prd-diff"', '</section>');
    expect(diff).toContain('Changes from v1');
    expect(fragment(diff, '<tr class="diff-changed" data-requirement="FR-1">', '</tr>')).toBe(
      '<tr class="diff-changed" data-requirement="FR-1"><td>FR-1</td><td>changed</td><td><del>P0</del> → <ins>P1</ins></td><td class="text">Offer a dark theme <ins>and a high-contrast theme</ins></td></tr>',
    );
    expect(fragment(diff, '<tr class="diff-added" data-requirement="FR-2">', '</tr>')).toContain('<ins>Remember the chosen theme per user</ins>');
    expect(fragment(diff, '<div class="section-diff" data-section="goals">', '</div>')).toContain(
      '<li class="text"><ins>Operators with low vision can read the dashboard</ins></li>',
    );
    // The diff comes before the document it describes.
    expect(page.indexOf('id="prd-diff"')).toBeLessThan(page.indexOf('<article class="prd"'));
  });

  it('shows no diff for a first version', () => {
    const page = pageFor(aPrdDocument());
    expect(page).toContain('<article class="prd" data-prd-version="1">');
    expect(page).not.toContain('prd-diff');
    expect(page).toContain('No changes recorded (a first version).');
  });

  it('escapes what the agent wrote in sources and in the diff', () => {
    const v1 = aPrdDocument({ functionalRequirements: [{ id: 'FR-1', description: 'Offer a dark theme', priority: 'P0', sources: [] }] });
    const v2 = aPrdDocument({
      functionalRequirements: [{ id: 'FR-1', description: `Offer a dark theme ${HOSTILE}`, priority: 'P0', sources: [{ kind: 'request', quote: HOSTILE }] }],
    });
    const page = pageFor(v1, v2);
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain(`request: “${ESCAPED}”`);
    expect(fragment(page, '<tr class="diff-changed" data-requirement="FR-1">', '</tr>')).toContain(`<ins>${ESCAPED}</ins>`);
  });
});

const NAMES: Record<string, string> = { alice: 'Alice', bob: 'Bob' };
const nameOf = (id: string) => NAMES[id] ?? id;
const QUESTIONS = ['Who uses the dashboard at night?', 'Which screens must go dark?', 'Is a schedule needed?'];
const ANSWERS = ['Night-shift operators', 'All of them', 'No, a toggle is enough'];

let minute = 0;
const step = (from: Transition['from'], to: Transition['to'], actor: string, extra: Partial<Transition> = {}): Transition => ({
  from,
  to,
  version: 0,
  at: `2026-01-05T10:00:${String(minute++ % 60).padStart(2, '0')}.000Z`,
  actor,
  messageId: null,
  correlationId: null,
  ...extra,
});

/** The README's walk: questions, answers, v1 rejected with feedback, v2 written; `upTo` transitions of it. */
function walk(upTo = 7): Transition[] {
  return [
    step(null, 'NEW', 'user:alice'),
    step('NEW', 'REQUEST_VALIDATION', 'service:orchestration'),
    step('REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'service:product-manager-agent', { questions: QUESTIONS }),
    step('CLARIFICATION_NEEDED', 'REQUEST_VALIDATION', 'user:alice', { answers: QUESTIONS.map((question, i) => ({ question, answer: ANSWERS[i] ?? '' })) }),
    step('REQUEST_VALIDATION', 'PRD_VALIDATION', 'service:product-manager-agent', { prdVersion: 1 }),
    step('PRD_VALIDATION', 'REQUEST_VALIDATION', 'user:bob', { feedback: REVISION_FEEDBACK }),
    step('REQUEST_VALIDATION', 'PRD_VALIDATION', 'service:product-manager-agent', { prdVersion: 2 }),
    step('PRD_VALIDATION', 'APPROVED', 'user:bob', { prdVersion: 2 }),
  ]
    .slice(0, upTo)
    .map((t, i) => ({ ...t, version: i + 1 }));
}

const STATUS_OF = (history: Transition[]) => history.at(-1)?.to ?? 'NEW';
const clarificationLog = QUESTIONS.map((question, i) => ({ question, answer: ANSWERS[i] ?? '' }));
const V1 = aPrdDocument({ clarificationLog });
const V2 = aRevisedPrdDocument({ clarificationLog });

/** The page of the walk after `upTo` transitions, showing PRD version `shown` (default: the newest). */
function walkPage(upTo: number, options: { shown?: number; viewer?: TaskPageModel['viewer']; flash?: string; flashWhileUntouched?: boolean } = {}): string {
  const history = walk(upTo);
  const written = history.flatMap((t) => (t.to === 'PRD_VALIDATION' && t.prdVersion !== undefined ? [t.prdVersion] : []));
  const documents = [V1, V2].slice(0, written.length).map((document, i) => ({ version: i + 1, document }));
  const current = documents.at(-1) ?? null;
  const shown = options.shown === undefined ? current : (documents[options.shown - 1] ?? null);
  const previous = shown ? documents[shown.version - 2] : undefined;
  const base = detailsWith(documents);
  const details: TaskDetails = {
    ...base,
    task: { ...base.task, status: STATUS_OF(history), version: history.length + 10, prdVersion: current?.version ?? null },
    history,
    clarifications: clarificationsOf(history),
    prd: shown,
  };
  return taskPage({
    details,
    changes: previous && shown ? diffPrdVersions(previous, shown) : null,
    defaultPrdVersion: current?.version ?? null,
    viewer: options.viewer ?? bob,
    nameOf,
    fourEyes: true,
    ...(options.flash ? { flash: options.flash } : {}),
    ...(options.flashWhileUntouched ? { flashWhileUntouched: true } : {}),
  });
}

/** What a person reads: the page's text, without markup, scripts' or styles' sources. */
const textOf = (page: string): string =>
  page
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('the task page as a document', () => {
  it('shows no raw status code and no task version in its text, at any step of the walk', () => {
    for (let upTo = 1; upTo <= 8; upTo++) {
      const text = textOf(walkPage(upTo));
      expect(text).not.toMatch(/\b(NEW|REQUEST_VALIDATION|CLARIFICATION_NEEDED|PRD_VALIDATION|APPROVED|CANCELLED|FAILED)\b/);
      // The task's own version (history length + 10 here) is not shown, in any form.
      expect(text).not.toMatch(new RegExp(`\\bv(ersion )?${upTo + 10}\\b`));
    }
  });

  it('says where the task stands in words, for the one reading', () => {
    const standing = (page: string) => textOf(fragment(page, '<p class="standing">', '</p>')).trim();
    expect(standing(walkPage(3, { viewer: { id: 'alice', name: 'Alice', roles: ['requester'] } }))).toBe('Waiting for your answers');
    expect(standing(walkPage(3))).toBe("Waiting for Alice's answers");
    expect(standing(walkPage(7))).toBe('Waiting for your decision on v2');
    expect(standing(walkPage(8))).toBe('Approved (v2)');
  });

  it('shows the questions and answers once', () => {
    const text = textOf(walkPage(8));
    for (const question of QUESTIONS) expect(occurrences(text, question)).toBe(1);
    for (const answer of ANSWERS) expect(occurrences(text, answer)).toBe(1);
    // The request too: the PRD's copy of it is not repeated under the request.
    expect(occurrences(text, 'The dashboard is too bright at night for night-shift operators.')).toBe(1);
  });

  it('tells the history as a compact timeline in words', () => {
    const timeline = fragment(walkPage(8), '<ol class="timeline">', '</ol>');
    expect(
      (timeline.match(/<li>[\s\S]*?<\/li>/g) ?? []).map((entry) =>
        textOf(entry)
          .replace(/2026-01-05 \S+ UTC/, '')
          .trim(),
      ),
    ).toEqual([
      'Alice submitted the request',
      'The workflow handed it to the agent',
      'The agent asked 3 questions',
      'Alice answered 3 questions',
      'The agent wrote v1',
      `Bob rejected v1: ${REVISION_FEEDBACK}`,
      'The agent wrote v2',
      'Bob approved v2',
    ]);
  });

  it('links every other PRD version, and shows an earlier one when asked, saying it is not the current one', () => {
    const current = walkPage(8);
    const switcher = fragment(current, '<nav class="versions"', '</nav>');
    expect(switcher).toContain('<a href="/inbox/tasks/t-1?version=1" data-version="1">v1</a>');
    expect(switcher).toContain('<strong aria-current="page" data-version="2">v2 (current)</strong>');
    expect(current).toContain('<article class="prd" data-prd-version="2">');
    expect(current).not.toContain('id="earlier-version"');
    expect(fragment(current, '<details class="prd-changes">', '</details>')).toContain('<summary>Changes since v1</summary>');

    const earlier = walkPage(8, { shown: 1 });
    expect(earlier).toContain('<article class="prd" data-prd-version="1">');
    expect(earlier).not.toContain('data-prd-version="2"');
    const notice = fragment(earlier, '<p class="notice" id="earlier-version">', '</p>');
    expect(textOf(notice)).toContain('This is an earlier version, v1.');
    expect(notice).toContain('<a href="/inbox/tasks/t-1">Open the current one (v2)</a>');
    expect(fragment(earlier, '<nav class="versions"', '</nav>')).toContain('<a href="/inbox/tasks/t-1" data-version="2">v2 (current)</a>');
    // The live script keeps fetching v1 for this page.
    expect(earlier).toMatch(/<section id="live"[^>]* data-version="1">/);
    expect(current).not.toMatch(/<section id="live"[^>]* data-version=/);
    expect(earlier).not.toContain('prd-changes'); // a first version changed nothing
  });

  it('keeps the "submitted" banner only while nothing has happened yet', () => {
    const banner = 'Your request was submitted.';
    expect(walkPage(2, { flash: banner, flashWhileUntouched: true })).toContain(`<p class="flash" role="status">${banner}</p>`);
    expect(walkPage(3, { flash: banner, flashWhileUntouched: true })).not.toContain('class="flash"');
    expect(walkPage(5, { flash: 'You rejected the PRD.' })).toContain('<p class="flash" role="status">You rejected the PRD.</p>');
  });

  it('escapes what people typed in the timeline', () => {
    const history = walk(6).map((t) => (t.feedback ? { ...t, feedback: HOSTILE } : t));
    const base = detailsWith([{ version: 1, document: V1 }]);
    const page = taskPage({
      details: { ...base, task: { ...base.task, status: 'REQUEST_VALIDATION' }, history, clarifications: clarificationsOf(history) },
      changes: null,
      defaultPrdVersion: 1,
      viewer: bob,
      nameOf,
      fourEyes: true,
    });
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain(`Bob rejected v1: <span class="text">${ESCAPED}</span>`);
  });
});

describe('the PRD standing alone (a link page)', () => {
  it('shows every section, the change log and who wrote the version', () => {
    const view = prdDocumentView(2, aRevisedPrdDocument({ clarificationLog }), { pageShowsContext: false }).toString();
    expect(sectionsMissingFrom(view)).toEqual([]);
    expect(view).toContain('Added a high-contrast theme and remembering the choice');
    expect(view).toContain(QUESTIONS[0]);
  });
});
