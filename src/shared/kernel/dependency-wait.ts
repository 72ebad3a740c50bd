import { describeError } from './errors';
import { backoffDelay, retryPolicy, type RetryPolicy } from './retry';

/** What start-up waits for: a name and where it is (never a URL with credentials). */
export interface Dependency {
  /** E.g. `PostgreSQL`, `RabbitMQ`. */
  readonly name: string;
  /** E.g. `db.internal:5432`. */
  readonly address: string;
}

/** Where the waiting is logged (a pino logger fits). */
export interface DependencyWaitLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface DependencyWaitOptions {
  /** How long to keep trying from the first attempt; 0 makes one attempt only. */
  readonly timeoutMs: number;
  /** True for "not reachable (yet)": refused, reset, timed out, unknown host, starting up. Anything else fails at once. */
  readonly isUnreachable: (error: unknown) => boolean;
  readonly log: DependencyWaitLog;
  /** The setting `timeoutMs` came from, named in the give-up message (e.g. `STARTUP_TIMEOUT_MS`). */
  readonly timeoutSetting?: string;
  /** Delays between attempts; STARTUP_WAIT_POLICY unless given (maxAttempts is ignored: the timeout bounds it). */
  readonly policy?: RetryPolicy;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** 250 ms doubling up to 5 s, ±20% jitter: a dependency that comes back is noticed within about 5 s. */
export const STARTUP_WAIT_POLICY: RetryPolicy = retryPolicy({ initialDelayMs: 250, maxDelayMs: 5_000, multiplier: 2, jitter: 0.2 });

/** Start-up gave up on a dependency that stayed unreachable for the whole timeout. */
export class DependencyUnavailableError extends Error {
  override readonly name: string = 'DependencyUnavailableError';

  constructor(
    readonly dependency: Dependency,
    readonly attempts: number,
    readonly waitedMs: number,
    readonly lastError: unknown,
    timeoutSetting?: string,
  ) {
    super(
      `${dependency.name} at ${dependency.address} is unreachable: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
        `in ${waitedMs} ms${timeoutSetting ? ` (${timeoutSetting})` : ''}; last error: ${describeError(lastError).errorMessage}`,
    );
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, waiting with capped exponential backoff while it fails with
 * an "unreachable" error, for at most `timeoutMs` from the first attempt; logs each wait as
 * "waiting for <name> at <address> (attempt n, next in … ms)". Any other error is thrown at once
 * (a wrong password or a missing database does not get better by waiting); after the timeout it
 * throws DependencyUnavailableError naming the dependency.
 */
export async function waitForDependency<T>(dependency: Dependency, attempt: () => Promise<T>, options: DependencyWaitOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const policy = options.policy ?? STARTUP_WAIT_POLICY;
  const started = now();
  for (let attempts = 1; ; attempts += 1) {
    try {
      const result = await attempt();
      if (attempts > 1) {
        options.log.info(
          { dependency: dependency.name, address: dependency.address, attempts, waitedMs: now() - started },
          `${dependency.name} at ${dependency.address} is reachable (after ${attempts} attempts)`,
        );
      }
      return result;
    } catch (error) {
      if (!options.isUnreachable(error)) throw error;
      const waitedMs = now() - started;
      const leftMs = options.timeoutMs - waitedMs;
      if (leftMs <= 0) throw new DependencyUnavailableError(dependency, attempts, waitedMs, error, options.timeoutSetting);
      // The last attempt falls on the deadline, not after it.
      const nextInMs = Math.min(leftMs, backoffDelay(policy, attempts, options.random));
      options.log.warn(
        { dependency: dependency.name, address: dependency.address, attempt: attempts, nextInMs, waitedMs, error: describeError(error).errorMessage },
        `waiting for ${dependency.name} at ${dependency.address} (attempt ${attempts}, next in ${nextInMs} ms)`,
      );
      await sleep(nextInMs);
    }
  }
}
