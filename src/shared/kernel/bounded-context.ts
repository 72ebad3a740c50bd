import type { MessageQueue, Unsubscribe } from '../messaging/message-queue';
import type { Loop } from './background-loop';

/**
 * What the composition root asks of each context: subscribe its handlers to the queue, and hand
 * over its background loops (scanner, pollers, delivery worker, sweeps), which the application
 * starts after every context subscribed and stops, in one ordered list, on shutdown. `drain`
 * runs after the loops stopped: it waits for message handlers still in flight and releases what
 * the context holds.
 */
export interface BoundedContext {
  readonly name: string;
  subscribe(queue: MessageQueue): Promise<Unsubscribe[]>;
  readonly loops: readonly Loop[];
  drain?(): Promise<void>;
  /**
   * Makes what the given (gone) worker instance leased in this context claimable at once; returns
   * how many. The worker registry calls it in a process that runs this context.
   */
  releaseLeasesOf?(instanceId: string): Promise<number>;
}
