import { chmodSync, mkdirSync, statSync } from 'node:fs';

/** Where a tightened folder is reported (the service's logger; silent when absent). */
export interface PrivateDirectoryLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

const OWNER_ONLY = 0o700;

/**
 * Makes `path` a folder only its owner may list or enter (0700): created so, with any missing
 * parent, or tightened when it exists with access for group or others, which is logged as a
 * warning (the files in it were readable by others until now). What the folder holds (PGlite's
 * files, the demo's tokens and link secret) then cannot be reached by another account on the host,
 * whatever the files' own modes. Returns whether it had to tighten.
 */
export function ensurePrivateDirectory(path: string, log?: PrivateDirectoryLog): boolean {
  mkdirSync(path, { recursive: true, mode: OWNER_ONLY });
  const stats = statSync(path);
  if (!stats.isDirectory()) throw new Error(`${path} is not a folder`);
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) === 0) return false;
  chmodSync(path, OWNER_ONLY);
  log?.warn(
    { path, was: mode.toString(8).padStart(3, '0'), now: '700' },
    `${path} was open to other accounts on this host (mode ${mode.toString(8).padStart(3, '0')}); tightened to 700`,
  );
  return true;
}
