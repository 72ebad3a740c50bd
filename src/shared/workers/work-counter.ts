import type { MessageQueue, Subscription } from '../messaging/message-queue';

/** What this process is doing and has done: the worker registry heartbeats these figures. */
export interface WorkLoad {
  /** Message handlers and claimed items (work items, deliveries) being handled now. */
  readonly inFlight: number;
  /** Message deliveries and claimed items finished since start, whatever their outcome. */
  readonly handled: number;
}

/** Counts message handlers in flight and finished. */
export class WorkCounter implements WorkLoad {
  private running = 0;
  private finished = 0;

  get inFlight(): number {
    return this.running;
  }

  get handled(): number {
    return this.finished;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.finished += 1;
    }
  }
}

function counted(subscription: Subscription, counter: WorkCounter): Subscription {
  const { handler } = subscription;
  return { ...subscription, handler: (message, delivery) => counter.track(() => handler(message, delivery)) };
}

/**
 * The queue as the contexts subscribe to it: every handler call is counted, nothing else changes
 * (publishing and closing go straight to `queue`).
 */
export function countingQueue(queue: MessageQueue, counter: WorkCounter): MessageQueue {
  return {
    publishEvent: (message, options) => queue.publishEvent(message, options),
    publishCommand: (message, options) => queue.publishCommand(message, options),
    subscribeToEvents: (subscription) => queue.subscribeToEvents(counted(subscription, counter)),
    subscribeToCommands: (subscription) => queue.subscribeToCommands(counted(subscription, counter)),
    close: () => queue.close(),
  };
}
