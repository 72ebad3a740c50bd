import { diffPrdVersions } from '../../../../../../src/contexts/human-interaction/application/prd-diff/prd-diff';
import type { TaskDetails } from '../../../../../../src/contexts/human-interaction/application/queries/task-queries.service';
import { prdSummaryView } from '../../../../../../src/contexts/human-interaction/infrastructure/web/views/prd-view';
import { taskPage } from '../../../../../../src/contexts/human-interaction/infrastructure/web/views/task-page';
import type { PrdDocument } from '../../../../../../src/contexts/product-definition/contracts';
import { aPrdDocument, aRevisedPrdDocument, REVISION_FEEDBACK } from '../../../../../support/prd-document';

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
  return taskPage({ details: detailsWith(versions), changes, viewer: bob, nameOf: (id) => id, fourEyes: true });
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
    expect(page).toContain(`<li class="text">On version 1: ${REVISION_FEEDBACK}</li>`);
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

describe("a decision link's PRD summary", () => {
  it('shows the change log and who wrote the version', () => {
    const summary = prdSummaryView(2, aRevisedPrdDocument()).toString();
    expect(summary).toContain('Added a high-contrast theme and remembering the choice');
    expect(summary).toContain('Written by LLM agent (model qwen2.5-7b-instruct), prompt prd/3; 1840 tokens in, 612 out; 2 model calls, 4.2 s');
  });
});
