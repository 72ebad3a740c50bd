import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** What a lock file says about the process that holds it. */
export interface LockHolder {
  readonly pid: number;
  /** When it took the lock (ISO 8601), for people. */
  readonly startedAt: string;
  /** The kernel's start time of that pid (Linux: /proc/<pid>/stat), so a reused pid is not taken for the holder. */
  readonly processStart?: string;
  /** Unique per lock taken: tells this process's lock from another's. */
  readonly token: string;
}

/** A second process tried to open a PGlite data directory that a running one holds. */
export class DataDirectoryLockedError extends Error {
  override readonly name: string = 'DataDirectoryLockedError';

  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the PGlite data directory ${dataDir} is in use by process ${holder.pid} (since ${holder.startedAt}; lock file ${lockFile}): ` +
        'stop that process first, or set PGLITE_DATA_DIR to another directory',
    );
  }
}

export interface DataDirectoryLock {
  readonly lockFile: string;
  /** The stale holder this lock was taken over from, if any (its process had ended). */
  readonly tookOverFrom: LockHolder | undefined;
  /** Removes the lock file if it is still this lock's; idempotent. */
  release(): void;
}

/** `<dataDir>.lock`, next to the directory (PGlite's own files stay untouched). */
export function lockFileOf(dataDir: string): string {
  return `${resolve(dataDir)}.lock`;
}

/**
 * Takes the lock of a PGlite data directory, or throws DataDirectoryLockedError naming the
 * directory and the pid of the live process holding it. The lock file is created atomically
 * (written aside, then hard-linked into place: it exists only complete, and only one of two
 * racing processes gets it) and removed on release or at process exit. A lock whose process is
 * gone (SIGKILL, crash) or whose pid now belongs to another process is stale and taken over.
 */
export function lockDataDirectory(dataDir: string): DataDirectoryLock {
  const lockFile = lockFileOf(dataDir);
  const me: LockHolder = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...optional('processStart', processStartOf(process.pid)),
    token: randomBytes(8).toString('hex'),
  };
  const draft = `${lockFile}.${me.token}.tmp`;
  writeFileSync(draft, `${JSON.stringify(me)}\n`, { mode: 0o644 });
  let tookOverFrom: LockHolder | undefined;
  try {
    for (let round = 0; ; round += 1) {
      try {
        linkSync(draft, lockFile);
        break;
      } catch (error) {
        if (code(error) !== 'EEXIST' || round >= 5) throw error;
      }
      const holder = readHolder(lockFile);
      if (holder === undefined) continue; // removed meanwhile (released, or taken over by another): try again
      if (isAlive(holder)) throw new DataDirectoryLockedError(dataDir, lockFile, holder);
      if (removeIfStill(lockFile, holder)) tookOverFrom = holder;
    }
  } finally {
    unlinkQuietly(draft);
  }
  const onExit = () => removeIfStill(lockFile, me);
  process.once('exit', onExit);
  return {
    lockFile,
    tookOverFrom,
    release: () => {
      process.off('exit', onExit);
      removeIfStill(lockFile, me);
    },
  };
}

/**
 * Removes the lock file if it still holds `holder`'s lock. It is moved aside first (atomic), so
 * of two processes taking over one stale lock, the second moves the first one's new lock, sees
 * it is not the stale one, and puts it back.
 */
function removeIfStill(lockFile: string, holder: LockHolder): boolean {
  const aside = `${lockFile}.${randomBytes(8).toString('hex')}.old`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if (code(error) === 'ENOENT') return false;
    throw error;
  }
  const moved = readHolder(aside);
  if (moved?.token === holder.token) {
    unlinkQuietly(aside);
    return true;
  }
  try {
    linkSync(aside, lockFile);
  } catch {
    // Someone took the lock in between: theirs stands.
  }
  unlinkQuietly(aside);
  return false;
}

function readHolder(file: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return {
        pid: parsed.pid,
        startedAt: String(parsed.startedAt),
        token: parsed.token,
        ...optional('processStart', typeof parsed.processStart === 'string' ? parsed.processStart : undefined),
      };
    }
  } catch {
    // Not ours or damaged: treated as a lock of no live process.
  }
  return { pid: 0, startedAt: 'unknown', token: `unreadable:${text}` };
}

/** The holder's process still runs, and is the same process (not a later one that got its pid). */
function isAlive(holder: LockHolder): boolean {
  if (holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if (code(error) !== 'EPERM') return false;
  }
  if (holder.processStart === undefined) return true;
  const now = processStartOf(holder.pid);
  return now === undefined || now === holder.processStart;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), where there is a /proc. */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function code(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
