/**
 * Lets a background loop sleep until its interval passes or until it is rung (new work, or a
 * stop). Ringing wakes every sleeper at once; a loop that is not asleep misses nothing, because
 * it looks for work before it sleeps again.
 */
export class Alarm {
  private readonly sleepers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  ring(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
