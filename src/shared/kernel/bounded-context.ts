import type { MessageQueue, Unsubscribe } from '../messaging/message-queue';

/**
 * What the composition root asks of each context: subscribe its handlers to the queue, and start
 * and stop its background services (scanner, poller). `stop` stops taking new work and waits for
 * the work in flight.
 */
export interface BoundedContext {
  readonly name: string;
  subscribe(queue: MessageQueue): Promise<Unsubscribe[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
