import type { Clock } from '../../src/shared/kernel/clock';

/** Real time, moved on by the test: what the service compares expiries with. */
export class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
