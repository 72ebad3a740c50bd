import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * docs/architecture.md's "where to find each behaviour" table and its "one home" tables point into
 * the code; a file that moved or went makes the page lie. Every backticked path there must exist.
 * A bare file name (`key-serializer.ts`) is beside the cell's first path.
 */
const ROOT = join(__dirname, '..', '..');
const DOC = 'docs/architecture.md';
const lines = readFileSync(join(ROOT, DOC), 'utf8').split('\n');

function section(heading: string): { line: number; text: string }[] {
  const start = lines.findIndex((l) => l === heading);
  if (start < 0) throw new Error(`${DOC} has no "${heading}" section`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((text, i) => ({ line: start + 2 + i, text }));
}

function pathsOf(cell: string): string[] {
  const named = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '').filter((p) => /^[\w./-]+$/.test(p) && (p.includes('/') || /\.(ts|js)$/.test(p)));
  const base = named.find((p) => p.includes('/'));
  return named.map((p) => (p.includes('/') || !base ? p : join(dirname(base), p)));
}

describe('the files docs/architecture.md points to', () => {
  it('all exist', () => {
    const rows = section('## Where to find each behaviour').filter(
      (l) => l.text.startsWith('| ') && !l.text.startsWith('| behaviour') && !l.text.startsWith('|---'),
    );
    expect(rows.length).toBeGreaterThan(40);
    const missing = rows.flatMap((row) => {
      const cell = row.text.split('|')[2] ?? '';
      return pathsOf(cell)
        .filter((p) => !existsSync(join(ROOT, p)))
        .map((p) => `${DOC}:${row.line}: ${p} does not exist`);
    });
    expect(missing).toEqual([]);
  });

  it('names each source file in the "one home" section that exists', () => {
    const missing = section('## One home per concern').flatMap((row) =>
      pathsOf(row.text)
        .filter((p) => p.startsWith('src/') && !p.includes('<') && !existsSync(join(ROOT, p)))
        .map((p) => `${DOC}:${row.line}: ${p} does not exist`),
    );
    expect(missing).toEqual([]);
  });
});
