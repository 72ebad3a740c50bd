import { Alarm } from './alarm';
import { describeError } from './errors';
import { backoffDelay, retryPolicy, type RetryPolicy } from './retry';

/** What one pass found: more may be waiting (go again at once), nothing (sleep), or it failed (back off). */
export type PassOutcome = 'more' | 'idle' | 'failed';

/** Where a loop reports a pass that threw or an item that failed; pino's Logger fits. */
export interface LoopLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

interface LoopTiming {
  /** Names the loop in logs. */
  readonly name: string;
  /** How long an idle loop sleeps before it looks again; a kick wakes it sooner. */
  readonly intervalMs: number;
  /** Sleep one interval before the first pass (nothing about it is urgent at start-up). */
  readonly sleepFirst?: boolean;
  /** false: `start` does nothing (a setting turned the loop off). */
  readonly enabled?: boolean;
  /**
   * After n failed passes in a row the loop sleeps `backoffDelay(failureBackoff, n)` instead of the
   * interval, and kicks do not cut that sleep short (every kick would otherwise start one more
   * pass bound to fail). Default: the interval, doubling up to max(interval, 5 s), no jitter.
   */
  readonly failureBackoff?: RetryPolicy;
}

/** A loop of passes, one at a time: the outbox relay, sweeps. */
export interface PassLoop extends LoopTiming {
  /**
   * One pass. A pass that throws counts as `failed`, and the loop logs the error; a pass that
   * returns `failed` has said why itself. `signal` aborts when the loop is asked to stop, so a
   * long pass can end early (stop waits for it either way).
   */
  readonly pass: (signal: AbortSignal) => Promise<PassOutcome>;
}

/**
 * A pool: each pass claims up to the free capacity and hands every claimed item to `handle`, up
 * to `concurrency` of them at once, without waiting for them before it claims again. Claiming
 * nothing means idle; claiming anything means more may be waiting.
 */
export interface ClaimLoop<T> extends LoopTiming {
  readonly concurrency: number;
  /** Up to `limit` items ([] when nothing is waiting); it may return fewer while more wait. */
  readonly claim: (limit: number) => Promise<readonly T[]>;
  /** Handles and records one claimed item; a throw is logged and the item's lease takes care of it. */
  readonly handle: (item: T) => Promise<void>;
}

export type LoopSpec<T = never> = PassLoop | ClaimLoop<T>;

/** A loop as its owner and the application see it, whatever it handles. */
export interface Loop {
  readonly name: string;
  readonly isRunning: boolean;
  start(): void;
  kick(): void;
  stop(): Promise<void>;
}

const MAX_FAILURE_BACKOFF_MS = 5_000;

function defaultFailureBackoff(intervalMs: number): RetryPolicy {
  // A loop never gives up, and one process's loop needs no jitter against itself.
  return retryPolicy({
    maxAttempts: Number.POSITIVE_INFINITY,
    initialDelayMs: intervalMs,
    maxDelayMs: Math.max(intervalMs, MAX_FAILURE_BACKOFF_MS),
    jitter: 0,
  });
}

/**
 * The one background-loop primitive: a named loop that runs a pass, goes again at once when the
 * pass says more is waiting or it was kicked meanwhile, otherwise sleeps its interval (a kick
 * wakes it), and backs off after failed passes. `stop` lets no new pass start, waits for the pass
 * in flight and for every claimed item still being handled.
 */
export class BackgroundLoop<T = never> implements Loop {
  private readonly alarm = new Alarm();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failureBackoff: RetryPolicy;
  private running = false;
  private stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private kicks = 0;
  /** Slots freed while every one was taken (counted, so one freed during a pass is not missed). */
  private freed = 0;
  private failures = 0;
  private finished = 0;
  private completedPasses = 0;

  constructor(
    private readonly spec: LoopSpec<T>,
    private readonly logger: LoopLogger,
  ) {
    if ('concurrency' in spec && !(Number.isInteger(spec.concurrency) && spec.concurrency >= 1)) {
      throw new Error(`${spec.name}: concurrency must be a whole number of at least 1`);
    }
    this.failureBackoff = spec.failureBackoff ?? defaultFailureBackoff(spec.intervalMs);
  }

  get name(): string {
    return this.spec.name;
  }

  /** Whether it runs (started and not stopped). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Failed passes in a row (0 once a pass succeeds). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Claimed items being handled now (a pass loop: always 0). */
  get handling(): number {
    return this.inFlight.size;
  }

  /** Claimed items handled since construction, whatever their outcome (a pass loop: always 0). */
  get handled(): number {
    return this.finished;
  }

  /** Passes completed since construction, whatever they found (a test waits on it instead of on time). */
  get passes(): number {
    return this.completedPasses;
  }

  start(): void {
    if (this.running || this.spec.enabled === false) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loop = this.run();
  }

  /** Something is waiting: look now rather than at the end of the interval (not while backing off). */
  kick(): void {
    this.kicks += 1;
    if (this.failures === 0) this.alarm.ring();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.alarm.ring();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    if (this.spec.sleepFirst) await this.alarm.sleep(this.spec.intervalMs);
    while (this.running) {
      const kicksBefore = this.kicks;
      const freedBefore = this.freed;
      const outcome = await this.onePass();
      this.completedPasses += 1;
      if (this.stopRequested()) break;
      if (outcome === 'failed') {
        this.failures += 1;
        await this.alarm.sleep(backoffDelay(this.failureBackoff, this.failures));
        continue;
      }
      this.failures = 0;
      if (outcome === 'full' && this.freed === freedBefore) await this.alarm.sleep(this.spec.intervalMs);
      else if (outcome === 'idle' && this.kicks === kicksBefore) await this.alarm.sleep(this.spec.intervalMs);
    }
  }

  /** Read after an await: `stop` may have been called meanwhile. */
  private stopRequested(): boolean {
    return !this.running;
  }

  /** `full`: every slot is taken; the loop sleeps until one frees (its end rings the alarm). */
  private async onePass(): Promise<PassOutcome | 'full'> {
    try {
      if ('pass' in this.spec) return await this.spec.pass(this.stopping.signal);
      const room = this.spec.concurrency - this.inFlight.size;
      if (room <= 0) return 'full';
      const items = await this.spec.claim(room);
      for (const item of items) this.track(this.spec, item);
      return items.length > 0 ? 'more' : 'idle';
    } catch (error) {
      this.logger.error(
        { loop: this.spec.name, failures: this.failures + 1, err: describeError(error).errorMessage },
        `${this.spec.name}: pass failed; backing off`,
      );
      return 'failed';
    }
  }

  private track(spec: ClaimLoop<T>, item: T): void {
    const work = spec
      .handle(item)
      .catch((error: unknown) => {
        this.logger.error({ loop: spec.name, err: describeError(error).errorMessage }, `${spec.name}: handling a claimed item failed`);
      })
      .finally(() => {
        const wasFull = this.inFlight.size >= spec.concurrency;
        this.inFlight.delete(work);
        this.finished += 1;
        // The loop sleeps while every slot is taken: a freed slot is a reason to claim again.
        if (wasFull) {
          this.freed += 1;
          this.alarm.ring();
        }
      });
    this.inFlight.add(work);
  }
}
