import type { CliIo } from '../../../../src/app/cli/cli-io';
import { runCli } from '../../../../src/app/cli/program';
import { tokenOf } from '../../../support/app';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `refinery <argv>` in-process, as a shell would, and records what it printed. */
export async function runRefinery(argv: readonly string[], io: Omit<CliIo, 'stdout' | 'stderr'>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { ...io, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

export interface CountedCliRun extends CliRun {
  /** How many HTTP requests the command made. */
  readonly requests: number;
}

/** `refinery <argv>` against `url` as `user` (REFINERY_TOKEN, unless `token` names another), counting its requests (made with `through`). */
export async function runRefineryAs(
  url: string,
  user: string | undefined,
  argv: readonly string[],
  token = user ? tokenOf(user) : undefined,
  through: typeof fetch = fetch,
): Promise<CountedCliRun> {
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    requests += 1;
    return through(input, init);
  };
  const run = await runRefinery(argv, { env: { REFINERY_URL: url, ...(token ? { REFINERY_TOKEN: token } : {}) }, fetch: counting });
  return { ...run, requests };
}
