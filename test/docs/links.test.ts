import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * README.md and docs/*.md point at each other and at the code: every relative link must reach a
 * file in the repository and, with a #fragment, a heading of that file (GitHub's anchors:
 * lowercase, punctuation dropped, spaces to '-', a repeated heading numbered -1, -2, …). The README
 * stays a short entry point: under 150 lines.
 */
const ROOT = join(__dirname, '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Lines outside fenced code blocks. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').flatMap((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [line];
  });
}

export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown)) {
    const m = /^#{1,6} (.+)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

export function brokenLinks(root: string, file: string): string[] {
  const markdown = readFileSync(join(root, file), 'utf8');
  // Inline code is not a link, but a link's text may be code: [`x.md`](x.md).
  const links = prose(markdown).flatMap((line) => [...line.replace(/`[^`]*`/g, '``').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? ''));
  return links
    .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link))
    .flatMap((link) => {
      const [path = '', fragment] = link.split('#', 2);
      const target = path === '' ? join(root, file) : resolve(dirname(join(root, file)), decodeURIComponent(path));
      const shown = `${file}: ${link}`;
      if (relative(root, target).startsWith('..')) return [`${shown} leaves the repository`];
      if (!existsSync(target)) return [`${shown}: no such file`];
      if (fragment === undefined) return [];
      if (!statSync(target).isFile() || !target.endsWith('.md')) return [`${shown}: a #fragment on a file that is not Markdown`];
      return anchors(readFileSync(target, 'utf8')).has(fragment) ? [] : [`${shown}: no heading #${fragment}`];
    });
}

describe('the documentation', () => {
  it('has README.md and the documents in docs/', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/configuration.md', 'docs/security.md', 'docs/operations.md']));
  });

  it.each(DOCS)('%s: every relative link reaches a file of the repository, and a heading of it', (file) => {
    expect(brokenLinks(ROOT, file)).toEqual([]);
  });

  it('README.md is under 150 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThan(150);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('The operations console: /ops')).toBe('the-operations-console-ops');
    expect(slug('Idempotency-Key: submit and decide once')).toBe('idempotency-key-submit-and-decide-once');
    expect(slug("No secret in log lines or a delivery's last error")).toBe('no-secret-in-log-lines-or-a-deliverys-last-error');
    expect([...anchors('# A\n\n```sh\n# not a heading\n```\n## A\n### `x.y` z\n')]).toEqual(['a', 'a-1', 'xy-z']);
  });

  it('reports a link to a missing file and to a missing heading', () => {
    const dir = join(__dirname, 'fixtures');
    expect(brokenLinks(dir, 'broken.md')).toEqual([
      'broken.md: missing.md: no such file',
      'broken.md: broken.md#nowhere: no heading #nowhere',
      'broken.md: #also-nowhere: no heading #also-nowhere',
    ]);
  });
});
