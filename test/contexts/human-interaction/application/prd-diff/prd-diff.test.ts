import { diffPrdVersions } from '../../../../../src/contexts/human-interaction/application/prd-diff/prd-diff';
import { aPrdDocument, aRevisedPrdDocument, anAuthoredPrd } from '../../../../support/prd-document';

const request = (quote: string) => [{ kind: 'request' as const, quote }];

describe('the diff between two PRD versions', () => {
  it('matches requirements by id: added, changed (words and priority) and unchanged, functional before non-functional', () => {
    const v1 = aPrdDocument({
      nonFunctionalRequirements: [{ id: 'NFR-1', description: 'Switching themes takes under a second', priority: 'P2', sources: request('dark mode') }],
    });
    const v2 = aRevisedPrdDocument({ nonFunctionalRequirements: v1.nonFunctionalRequirements });
    const diff = diffPrdVersions({ version: 1, document: v1 }, { version: 2, document: v2 });
    expect([diff.from, diff.to]).toEqual([1, 2]);
    expect(diff.requirements).toEqual([
      {
        id: 'FR-1',
        status: 'changed',
        description: {
          from: 'Offer a dark theme',
          to: 'Offer a dark theme and a high-contrast theme',
          words: [
            { kind: 'same', text: 'Offer a dark theme ' },
            { kind: 'added', text: 'and a high-contrast theme' },
          ],
        },
        priority: { from: 'P0', to: 'P1' },
      },
      { id: 'FR-2', status: 'added', description: 'Remember the chosen theme per user', priority: 'P1' },
      { id: 'NFR-1', status: 'unchanged', description: 'Switching themes takes under a second', priority: 'P2' },
    ]);
  });

  it('reports a requirement the newer version dropped as removed, and a priority-only change with an all-same word diff', () => {
    const v1 = aPrdDocument({
      functionalRequirements: [
        { id: 'FR-1', description: 'Offer a dark theme', priority: 'P0', sources: request('Add dark mode') },
        { id: 'FR-2', description: 'Schedule the theme by clock', priority: 'P2', sources: [] },
      ],
    });
    const v2 = aPrdDocument({ functionalRequirements: [{ id: 'FR-1', description: 'Offer a dark theme', priority: 'P1', sources: request('Add dark mode') }] });
    const { requirements } = diffPrdVersions({ version: 3, document: v1 }, { version: 4, document: v2 });
    expect(requirements).toEqual([
      {
        id: 'FR-1',
        status: 'changed',
        description: { from: 'Offer a dark theme', to: 'Offer a dark theme', words: [{ kind: 'same', text: 'Offer a dark theme' }] },
        priority: { from: 'P0', to: 'P1' },
      },
      { id: 'FR-2', status: 'removed', description: 'Schedule the theme by clock', priority: 'P2' },
    ]);
  });

  it('marks removed and added words inside a reworded description', () => {
    const v1 = aPrdDocument({ functionalRequirements: [{ id: 'FR-1', description: 'Export a monthly CSV of invoices', priority: 'P0', sources: [] }] });
    const v2 = aPrdDocument({ functionalRequirements: [{ id: 'FR-1', description: 'Export a weekly CSV of all invoices', priority: 'P0', sources: [] }] });
    const [fr1] = diffPrdVersions({ version: 1, document: v1 }, { version: 2, document: v2 }).requirements;
    expect(fr1?.status === 'changed' && fr1.description.words).toEqual([
      { kind: 'same', text: 'Export a ' },
      { kind: 'removed', text: 'monthly' },
      { kind: 'added', text: 'weekly' },
      { kind: 'same', text: ' CSV of ' },
      { kind: 'added', text: 'all ' },
      { kind: 'same', text: 'invoices' },
    ]);
  });

  it('orders requirement ids by number, so FR-10 comes after FR-2', () => {
    const fr = (id: string) => ({ id, description: `Requirement ${id}`, priority: 'P1' as const, sources: [] });
    const v1 = aPrdDocument({ functionalRequirements: [fr('FR-10'), fr('FR-2')] });
    const v2 = aPrdDocument({ functionalRequirements: [fr('FR-2'), fr('FR-1'), fr('FR-10')] });
    expect(diffPrdVersions({ version: 1, document: v1 }, { version: 2, document: v2 }).requirements.map((r) => `${r.id} ${r.status}`)).toEqual([
      'FR-1 added',
      'FR-2 unchanged',
      'FR-10 unchanged',
    ]);
  });

  it('lists the other sections that changed with their added and removed item texts, and none that did not', () => {
    const v1 = aPrdDocument({ risks: [{ text: 'Colours clash with alerts', sources: [] }] });
    const v2 = aRevisedPrdDocument({
      problem: 'The dashboard is too bright at night and hard to read for some.',
      risks: [],
      openQuestions: [...v1.openQuestions, { text: 'Which contrast ratio?', sources: [] }],
      userStories: anAuthoredPrd().userStories.map((story) => ({ ...story, iWant: 'a dark or high-contrast theme' })),
    });
    const diff = diffPrdVersions({ version: 1, document: v1 }, { version: 2, document: v2 });
    expect(diff.sections).toEqual([
      { section: 'problem', added: ['The dashboard is too bright at night and hard to read for some.'], removed: ['The dashboard is too bright at night.'] },
      { section: 'goals', added: ['Operators with low vision can read the dashboard'], removed: [] },
      {
        section: 'userStories',
        added: ['As night-shift operator, I want a dark or high-contrast theme, so that my eyes rest.'],
        removed: ['As night-shift operator, I want a dark theme, so that my eyes rest.'],
      },
      { section: 'risks', added: [], removed: ['Colours clash with alerts'] },
      { section: 'openQuestions', added: ['Which contrast ratio?'], removed: [] },
    ]);
  });

  it('compares repeated items by count and ignores sources: a statement that reads the same is the same', () => {
    const twice = [
      { text: 'Same goal', sources: request('a') },
      { text: 'Same goal', sources: request('b') },
    ];
    const v1 = aPrdDocument({ goals: twice });
    const v2 = aPrdDocument({ goals: [{ text: 'Same goal', sources: [{ kind: 'assumption', reason: 'restated' }] }] });
    expect(diffPrdVersions({ version: 1, document: v1 }, { version: 2, document: v2 }).sections).toEqual([
      { section: 'goals', added: [], removed: ['Same goal'] },
    ]);
    expect(diffPrdVersions({ version: 1, document: v1 }, { version: 2, document: aPrdDocument({ goals: twice.slice().reverse() }) }).sections).toEqual([]);
  });

  it("carries the newer version's change log", () => {
    const v2 = aRevisedPrdDocument();
    expect(diffPrdVersions({ version: 1, document: aPrdDocument() }, { version: 2, document: v2 }).changeLog).toEqual(v2.changeLog);
  });
});
