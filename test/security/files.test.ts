import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoLinkSecret, demoUsers } from '../../src/app/users';
import { openDatabase } from '../../src/shared/persistence/data-source';
import { ensurePrivateDirectory } from '../../src/shared/persistence/private-directory';

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** The warnings a call logged. */
function recordingLog() {
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  return { warnings, warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }), info: () => undefined };
}

/**
 * What the service keeps on disk (PGlite's files; the demo's tokens and link secret under
 * .refinery) is in folders only its owner may enter: created 0700, or tightened to 0700 with a
 * warning when an older start left them open. Real files, in a temporary folder.
 */
describe('private folders on disk', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'refinery-files-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates a missing folder, and its missing parents, 0700, without a warning', () => {
    const log = recordingLog();
    const folder = join(root, '.refinery', 'pgdata');
    expect(ensurePrivateDirectory(folder, log)).toBe(false);
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(join(root, '.refinery'))).toBe(0o700);
    expect(log.warnings).toEqual([]);
  });

  it('tightens a folder others may read to 0700, saying so once', () => {
    const log = recordingLog();
    const folder = join(root, 'open');
    mkdirSync(folder);
    chmodSync(folder, 0o755);
    writeFileSync(join(folder, 'data'), 'x', { mode: 0o644 });

    expect(ensurePrivateDirectory(folder, log)).toBe(true);
    expect(modeOf(folder)).toBe(0o700);
    expect(log.warnings).toEqual([{ fields: { path: folder, was: '755', now: '700' }, message: expect.stringContaining('tightened to 700') }]);
    // Already private: nothing more to say.
    expect(ensurePrivateDirectory(folder, log)).toBe(false);
    expect(log.warnings).toHaveLength(1);
  });

  it('refuses a path that is a file, not a folder', () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => ensurePrivateDirectory(file)).toThrow();
  });

  it("keeps PGlite's data folder 0700, created so or tightened from an older start's 755 (with a warning)", async () => {
    const fresh = join(root, '.refinery', 'pgdata');
    const first = await openDatabase({ pgliteDataDir: fresh, entities: [] });
    await first.close();
    expect(modeOf(fresh)).toBe(0o700);
    expect(modeOf(join(root, '.refinery'))).toBe(0o700);

    chmodSync(fresh, 0o755);
    const log = recordingLog();
    const again = await openDatabase({ pgliteDataDir: fresh, entities: [], log });
    await again.close();
    expect(modeOf(fresh)).toBe(0o700);
    expect(log.warnings.map((w) => w.fields)).toContainEqual({ path: fresh, was: '755', now: '700' });
  }, 60_000);

  it("writes the demo's tokens and link secret 0600 into a folder made 0700, tightening an open one", () => {
    const folder = join(root, '.refinery');
    mkdirSync(folder);
    chmodSync(folder, 0o755);
    demoUsers(join(folder, 'dev-tokens.json'));
    demoLinkSecret(join(folder, 'link-secret'));
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(join(folder, 'dev-tokens.json'))).toBe(0o600);
    expect(modeOf(join(folder, 'link-secret'))).toBe(0o600);
  });
});
