import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

/** Who this process is in the worker registry: its id is also the lease owner of what it claims. */
export interface WorkerInstance {
  /** `<host>/<pid>/<8 hex>`: readable in logs and lease columns, unique across restarts. */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** package.json's version. */
  readonly version: string;
}

/** The `version` of the nearest package.json above this file (src/… under jest, dist/src/… when built). */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') return parsed.version;
    } catch {
      // no package.json here (or not readable): look further up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

export function newWorkerInstance(): WorkerInstance {
  const host = hostname();
  return { id: `${host}/${process.pid}/${randomBytes(4).toString('hex')}`, host, pid: process.pid, version: packageVersion() };
}
