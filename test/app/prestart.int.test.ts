import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm start`'s first step (scripts/prestart.js) on a copy of the project: the environment is
 * checked before any compiler runs, and a start with no source change does not compile. An
 * integration test because it builds the project.
 */
describe('npm start: check the environment, then build only what changed', () => {
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'refinery-prestart-'));
    const inputs = ['src', 'migrations', 'scripts', 'package.json', 'package-lock.json', ...readdirSync(ROOT).filter((f) => /^tsconfig.*\.json$/.test(f))];
    for (const input of inputs) cpSync(join(ROOT, input), join(copy, input), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const prestart = (env: Record<string, string> = {}) => {
    const run = spawnSync('npm', ['run', '--silent', 'prestart'], {
      cwd: copy,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: copy, ...env },
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const mainJs = () => join(copy, 'dist', 'src', 'app', 'main.js');

  it('a bad variable stops it with exit code 2 and a message naming the variable, before anything is built', () => {
    const run = prestart({ PORT: 'abc', LINK_SECRET: 'short' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('PORT: ');
    expect(run.stderr).toContain('LINK_SECRET: must be at least 32 characters');
    expect(run.stdout).not.toContain('building');
    expect(existsSync(join(copy, 'dist'))).toBe(false);
  });

  it('builds the first time, says "build up to date" without compiling the second time, and builds again after a source changes', () => {
    const first = prestart();
    expect(first).toMatchObject({ status: 0, stderr: '' });
    expect(first.stdout).toContain('building');
    const builtAt = statSync(mainJs()).mtimeMs;

    const second = prestart();
    expect(second).toMatchObject({ status: 0, stderr: '' });
    expect(second.stdout).toContain('build up to date');
    expect(second.stdout).not.toContain('building');
    expect(statSync(mainJs()).mtimeMs).toBe(builtAt);

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(copy, 'src', 'app', 'main.ts'), later, later);
    const third = prestart();
    expect(third.status).toBe(0);
    expect(third.stdout).toContain('building');
  });
});
