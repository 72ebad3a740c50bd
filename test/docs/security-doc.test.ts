import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * docs/security.md's table names, for each threat, the tests that show the protection; a test
 * renamed or gone makes the table claim what nothing checks. A bare file name is under
 * test/security/.
 */
const ROOT = join(__dirname, '..', '..');
const lines = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8').split('\n');

describe("docs/security.md's table", () => {
  it('names only test files that exist, at least one per row', () => {
    const start = lines.indexOf('# Security');
    expect(start).toBe(0);
    const end = lines.findIndex((l, i) => i > start && l.startsWith('What an operator must still do'));
    const rows = lines.slice(start, end).filter((l) => l.startsWith('| ') && !l.startsWith('| against'));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    const problems = rows.flatMap((row) => {
      const cells = row.split(' | ');
      const tests = [...(cells[cells.length - 1] ?? '').matchAll(/`([^`]+\.test\.ts)`/g)].map((m) => m[1] ?? '');
      const paths = tests.map((t) => (t.includes('/') ? t : `test/security/${t}`));
      return [
        ...(paths.length === 0 ? [`${cells[0]}: no test named`] : []),
        ...paths.filter((p) => !existsSync(join(ROOT, p))).map((p) => `${p} does not exist`),
      ];
    });
    expect(problems).toEqual([]);
  });
});
