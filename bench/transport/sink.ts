import { clock } from './ping';
import { LatencyRecorder } from './latency';

/**
 * What the consumer side of a run reports to: counts every handled message, records its
 * publish-to-handle latency and the time of the last one, and lets the driver wait for a count.
 */
export class Sink {
  private recorder = new LatencyRecorder(0);
  private handledCount = 0;
  private lastAt = 0;
  private waiter: { target: number; resolve: () => void } | undefined;

  /** Starts a new run; what arrives from now on counts towards it. */
  reset(expected: number): void {
    this.recorder = new LatencyRecorder(expected);
    this.handledCount = 0;
    this.lastAt = 0;
    this.waiter = undefined;
  }

  handled(sentAt: number): void {
    const now = clock();
    this.recorder.record(now - sentAt);
    this.handledCount += 1;
    this.lastAt = now;
    if (this.waiter && this.handledCount >= this.waiter.target) {
      this.waiter.resolve();
      this.waiter = undefined;
    }
  }

  get count(): number {
    return this.handledCount;
  }

  get lastHandledAt(): number {
    return this.lastAt;
  }

  latencies(): LatencyRecorder {
    return this.recorder;
  }

  /** Resolves true once `target` messages were handled, false if `deadline` (clock ms) comes first. */
  waitFor(target: number, deadline: number): Promise<boolean> {
    if (this.handledCount >= target) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiter = undefined;
          resolve(false);
        },
        Math.max(0, deadline - clock()),
      );
      this.waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });
  }
}
