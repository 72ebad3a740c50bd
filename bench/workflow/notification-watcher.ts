import type { Notification, RefineryClient } from './refinery-client';

interface Waiter {
  readonly resolve: (notification: Notification) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One person's in-app inbox, read by a single poll loop for every workflow in flight (as one
 * person's browser would), instead of one poll per workflow: the service serves one list request
 * per interval whatever the concurrency. A workflow waits for (task, kind); a notification seen
 * before anyone waits for it is kept until asked for.
 */
export class NotificationWatcher {
  private readonly waiters = new Map<string, Waiter>();
  private readonly unclaimed = new Map<string, Notification>();
  private readonly seen = new Set<string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private polls = 0;

  constructor(
    private readonly client: RefineryClient,
    private readonly token: string,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    for (const [key, waiter] of this.waiters) waiter.reject(new Error(`stopped while waiting for ${key}`));
    this.waiters.clear();
  }

  get pollCount(): number {
    return this.polls;
  }

  /** The first notification of `kind` about `taskId` not handed out yet. */
  waitFor(taskId: string, kind: string): Promise<Notification> {
    const key = `${taskId}|${kind}`;
    const ready = this.unclaimed.get(key);
    if (ready) {
      this.unclaimed.delete(key);
      return Promise.resolve(ready);
    }
    if (this.waiters.has(key)) return Promise.reject(new Error(`already waiting for ${key}`));
    return new Promise((resolve, reject) => this.waiters.set(key, { resolve, reject }));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.polls += 1;
        this.dispatch(await this.client.notifications(this.token));
      } catch {
        // A failed poll is retried on the next tick; the deadline of the run bounds the waiting.
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  private dispatch(notifications: readonly Notification[]): void {
    // The list is newest first; handing out oldest first keeps a clarification round's order.
    for (const notification of [...notifications].reverse()) {
      if (this.seen.has(notification.id)) continue;
      this.seen.add(notification.id);
      const key = `${notification.taskId}|${notification.kind}`;
      const waiter = this.waiters.get(key);
      if (waiter) {
        this.waiters.delete(key);
        waiter.resolve(notification);
      } else {
        this.unclaimed.set(key, notification);
      }
    }
  }
}
