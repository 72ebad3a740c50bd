import type { DeadLetteredEvent, DeliveryObserver, RetryScheduledEvent } from './message-queue';

/** Fans delivery reports out to observers; a failing observer never changes delivery. */
export class DeliveryObservers {
  private readonly observers = new Set<DeliveryObserver>();

  add(observer: DeliveryObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  retryScheduled(event: RetryScheduledEvent): void {
    this.notify((o) => o.retryScheduled?.(event));
  }

  deadLettered(event: DeadLetteredEvent): void {
    this.notify((o) => o.deadLettered?.(event));
  }

  private notify(call: (observer: DeliveryObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch {
        // Monitoring is best effort; the message's fate is already decided.
      }
    }
  }
}
