/**
 * Counts what can still make progress without outside help (handlers running, timers armed), so
 * `whenIdle()` can tell tests when the transport has nothing left to do.
 */
export class PendingWork {
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private waiters: Array<() => void> = [];

  /** Runs `task` after `delayMs` unless the timers are cleared first. */
  schedule(task: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        task();
      } finally {
        this.settle();
      }
    }, delayMs);
    this.timers.add(timer);
  }

  begin(): void {
    this.running += 1;
  }

  end(): void {
    this.running -= 1;
    this.settle();
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.settle();
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.running === 0 && this.timers.size === 0;
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
