import { type Command, InvalidArgumentError } from 'commander';
import { ApiClient } from './api-client';
import type { CliIo } from './cli-io';
import { CliError, EXIT } from './exit-codes';
import type { ServiceConnection } from './service-request';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface ConnectionFlags {
  readonly url?: string;
  readonly token?: string;
  readonly timeout: number;
}

function wholeNumberAbove0(unit: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError(`expected a whole number${unit} above 0`);
    return parsed;
  };
}

export const positiveInteger = wholeNumberAbove0('');
const milliseconds = wholeNumberAbove0(' of milliseconds');

/** `--url`, `--token`, `--timeout`, as every command that talks to the service takes them. */
export function withConnection(command: Command, tokenHelp = 'your bearer token'): Command {
  return (
    command
      .option('--url <url>', `the service's base URL (default: $REFINERY_URL or ${DEFAULT_URL})`)
      // On the command line a token shows in `ps` and shell history: the variable is the better habit.
      .option('--token <token>', `${tokenHelp} (default: $REFINERY_TOKEN)`)
      .option('--timeout <ms>', 'give up on one request after this many milliseconds', milliseconds, DEFAULT_TIMEOUT_MS)
  );
}

/** The service to talk to, from the flags or the environment: a bad URL is a usage error (exit 2), no token is not authorised (exit 3, as docs/cli.md's exit-code table says); nothing is sent. */
export function connectionOf(flags: ConnectionFlags, io: CliIo, tokenName = 'token'): ServiceConnection {
  const raw = flags.url ?? (io.env.REFINERY_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(EXIT.usage, `--url: not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(EXIT.usage, `--url: expected http:// or https://, got ${url.protocol}`);
  const token = flags.token ?? io.env.REFINERY_TOKEN;
  if (!token) throw new CliError(EXIT.unauthorised, `no ${tokenName}: pass --token or set REFINERY_TOKEN`);
  return { url, token, timeoutMs: flags.timeout, fetch: io.fetch ?? fetch };
}

export function apiClientFor(flags: ConnectionFlags, io: CliIo): ApiClient {
  return new ApiClient(connectionOf(flags, io));
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90` (seconds), `500ms`, `30s`, `5m`, `1h`. */
export function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNITS_MS[match[2] ?? 's'] ?? 1_000) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError('expected a duration such as 90 (seconds), 500ms, 30s, 5m');
  return Math.round(ms);
}
