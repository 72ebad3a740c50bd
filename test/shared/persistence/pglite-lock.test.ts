import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirectoryLockedError, lockDataDirectory, lockFileOf } from '../../../src/shared/persistence/pglite-lock';

/** The lock alone (no PGlite): the process-level behaviour is in test/app/embedded-start.int.test.ts. */
describe('the PGlite data directory lock', () => {
  let root: string;
  let dataDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'refinery-lock-'));
    dataDir = join(root, 'pgdata');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const staleLock = (holder: Record<string, unknown>) =>
    writeFileSync(lockFileOf(dataDir), JSON.stringify({ startedAt: '2026-01-01T00:00:00.000Z', token: 'old', ...holder }));

  it('refuses a second lock while the first is held, naming the directory and the holding pid; free again after release', () => {
    const first = lockDataDirectory(dataDir);
    expect(JSON.parse(readFileSync(first.lockFile, 'utf8'))).toMatchObject({ pid: process.pid });

    let refusal: unknown;
    try {
      lockDataDirectory(dataDir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirectoryLockedError);
    expect((refusal as Error).message).toContain(`the PGlite data directory ${dataDir} is in use by process ${process.pid}`);

    first.release();
    expect(existsSync(first.lockFile)).toBe(false);
    const second = lockDataDirectory(dataDir);
    expect(second.tookOverFrom).toBeUndefined();
    second.release();
  });

  it('refuses while another live process holds it', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      staleLock({ pid: holder.pid });
      expect(() => lockDataDirectory(dataDir)).toThrow(`in use by process ${String(holder.pid)}`);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
  });

  it('takes over the lock of a process that no longer runs (e.g. SIGKILLed)', () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    staleLock({ pid: gone });

    const lock = lockDataDirectory(dataDir);

    expect(lock.tookOverFrom?.pid).toBe(gone);
    expect(JSON.parse(readFileSync(lock.lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (its start time differs)', () => {
    staleLock({ pid: process.pid, processStart: '1' });

    const lock = lockDataDirectory(dataDir);

    expect(lock.tookOverFrom).toMatchObject({ pid: process.pid, processStart: '1' });
    lock.release();
  });

  it('takes over a lock file it cannot read', () => {
    writeFileSync(lockFileOf(dataDir), 'garbage');
    const lock = lockDataDirectory(dataDir);
    expect(lock.tookOverFrom?.pid).toBe(0);
    lock.release();
  });

  it('does not remove a lock that is no longer its own', () => {
    const lock = lockDataDirectory(dataDir);
    staleLock({ pid: process.pid, token: 'someone-else' });
    lock.release();
    expect(JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8'))).toMatchObject({ token: 'someone-else' });
  });
});
