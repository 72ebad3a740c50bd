import type { Logger } from '../logging/logger';
import { type DependencyAvailability, looksLikeLostConnection, type Outage } from '../kernel/availability';
import { describeError } from '../kernel/errors';

export interface DatabaseAvailabilityOptions {
  /** One round trip, e.g. `SELECT 1`; rejects when the database does not answer. */
  readonly probe: () => Promise<unknown>;
  readonly logger: Logger;
  /** A probe that has not answered after this long counts as failed. */
  readonly probeTimeoutMs?: number;
  /** First gap between probes while the database is down, doubling up to `maxProbeIntervalMs`. */
  readonly probeIntervalMs?: number;
  readonly maxProbeIntervalMs?: number;
  readonly now?: () => Date;
}

const DEPENDENCY = 'PostgreSQL';

/**
 * PostgreSQL's availability for this process. Nothing runs while all is well; a failure that
 * looks like a lost connection is probed once, and a failed probe starts an outage: probes then
 * repeat with backoff (250 ms doubling to 2 s) until one answers, which ends it and wakes every
 * waiter. One warning when it starts, one line when it ends.
 */
export class DatabaseAvailability implements DependencyAvailability {
  private current: Outage | undefined;
  private waiters = new Set<() => void>();
  private probing: Promise<boolean> | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: DatabaseAvailabilityOptions) {
    this.now = options.now ?? (() => new Date());
  }

  outages(): readonly Outage[] {
    return this.current ? [this.current] : [];
  }

  async diagnose(error: unknown): Promise<Outage | undefined> {
    if (this.current) return this.current;
    if (this.closed || !looksLikeLostConnection(error)) return undefined;
    // One probe at a time: a burst of failing handlers shares it.
    this.probing ??= this.probeOnce().finally(() => (this.probing = undefined));
    if (await this.probing) return undefined;
    // Another failure may have started the outage while this one waited for the shared probe.
    return this.begin(error);
  }

  whenAvailable(signal?: AbortSignal): Promise<boolean> {
    if (!this.current) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', abort);
        resolve(true);
      };
      const abort = () => {
        this.waiters.delete(wake);
        resolve(false);
      };
      this.waiters.add(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** Stops probing; whoever waits is woken (and finds out for itself). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.end();
  }

  private begin(error: unknown): Outage {
    if (this.current) return this.current;
    this.current = { dependency: DEPENDENCY, since: this.now(), reason: describeError(error).errorMessage || describeError(error).errorClass };
    this.options.logger.warn(
      { dependency: DEPENDENCY, err: describeError(error) },
      'PostgreSQL is unreachable: consumers hold their messages (no attempt counted) and the API answers 503 until a probe succeeds',
    );
    this.schedule(this.options.probeIntervalMs ?? 250);
    return this.current;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.probeOnce().then((up) => {
        if (up) this.end();
        else this.schedule(Math.min(delayMs * 2, this.options.maxProbeIntervalMs ?? 2_000));
      });
    }, delayMs);
    this.timer.unref();
  }

  private end(): void {
    const outage = this.current;
    if (!outage) return;
    this.current = undefined;
    if (!this.closed) {
      this.options.logger.info({ dependency: DEPENDENCY, downMs: this.now().getTime() - outage.since.getTime() }, 'PostgreSQL answers again');
    }
    const waiters = [...this.waiters];
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  private async probeOnce(): Promise<boolean> {
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timeout = setTimeout(() => reject(new Error('probe timed out')), this.options.probeTimeoutMs ?? 2_000);
    });
    try {
      await Promise.race([this.options.probe(), timedOut]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timeout);
    }
  }
}
