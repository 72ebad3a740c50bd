import { Prd } from '../../../../src/contexts/product-definition/domain/prd';
import { InvalidPrdDocumentError } from '../../../../src/contexts/product-definition/domain/prd.errors';
import { aPrdDocument } from '../../../support/prd-document';

const at = new Date('2026-01-01T10:00:00Z');

describe('Prd', () => {
  it('numbers versions from 1, each draft the highest + 1', () => {
    const prd = Prd.rehydrate('task-1', [
      { version: 2, document: aPrdDocument(), basedOnTaskVersion: 5, createdAt: at },
      { version: 1, document: aPrdDocument(), basedOnTaskVersion: 2, createdAt: at },
    ]);

    expect(Prd.empty('task-2').draft(aPrdDocument(), 2, at).version).toBe(1);
    expect(prd.draft(aPrdDocument({ title: 'Third take' }), 7, at)).toMatchObject({ version: 3, basedOnTaskVersion: 7 });
    expect(prd.latest?.document.title).toBe('Third take');
    expect(prd.unsaved.map((v) => v.version)).toEqual([3]);
    expect(prd.pullEvents()).toEqual([expect.objectContaining({ type: 'PrdVersionDrafted', taskId: 'task-1', prd: expect.objectContaining({ version: 3 }) })]);
  });

  it('refuses a document without what every PRD needs, naming the part', () => {
    const prd = Prd.empty('task-1');

    expect(() => prd.draft({ ...aPrdDocument(), userStories: [] }, 2, at)).toThrow(InvalidPrdDocumentError);
    expect(() => prd.draft({ ...aPrdDocument(), userStories: [] }, 2, at)).toThrow(/userStories/);
    expect(prd.nextVersion).toBe(1);
  });
});
