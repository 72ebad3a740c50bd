import { taskDetails } from '../../../src/app/cli/api-client';
import { formatTaskDetails } from '../../../src/app/cli/task.format';
import { aPrdDocument, aRevisedPrdDocument, REVISION_FEEDBACK } from '../../support/prd-document';

const summary = {
  taskId: 't-1',
  title: 'Add dark mode',
  description: 'The dashboard is too bright at night.',
  status: 'PRD_VALIDATION',
  version: 7,
  requesterId: 'alice',
  approverId: 'bob',
  priority: 'normal',
  prdVersion: 2,
  createdAt: '2026-01-05T10:00:00.000Z',
  updatedAt: '2026-01-05T10:05:00.000Z',
};

describe('refinery show', () => {
  it('prints each statement with its sources, the change log with the feedback it answers, and who wrote the version', () => {
    // Parsed as the CLI parses the API's body: the schema must read today's PRD.
    const details = taskDetails.parse({
      task: summary,
      history: [],
      clarifications: [],
      prd: { version: 2, document: aRevisedPrdDocument() },
      prdVersions: [1, 2],
    });
    const out = formatTaskDetails(details);
    expect(out).toContain('PRD v2 (versions 1, 2): Dark mode');
    expect(out).toContain('    FR-2 [P1] Remember the chosen theme per user\n        ↳ feedback 1: “remember the choice”');
    expect(out).toContain('    - Operators can work at night without eye strain\n        ↳ request: “too bright at night”');
    expect(out).toContain('    - How will we measure that operators rest their eyes?\n        ↳ (no source)');
    expect(out).toContain(
      `  Changes in this version\n    - feedback 1: Added a high-contrast theme and remembering the choice\n        (“${REVISION_FEEDBACK}”)\n        added FR-2; changed FR-1; sections goals`,
    );
    expect(out).toContain('  Written by\n    llm (qwen2.5-7b-instruct), prompt prd/3; 1840 tokens in, 612 out; 2 calls, 4.2 s');
  });

  it('prints no change log for a first version', () => {
    const details = taskDetails.parse({ task: summary, history: [], clarifications: [], prd: { version: 1, document: aPrdDocument() }, prdVersions: [1] });
    expect(formatTaskDetails(details)).not.toContain('Changes in this version');
  });
});
