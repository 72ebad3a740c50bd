import type { MessageKind } from '../../src/shared/messaging/envelope';
import type { MessageQueue, Subscription, Unsubscribe } from '../../src/shared/messaging/message-queue';

/** A MessageQueue that only records what subscribes to it: what a context asks of a transport. */
export class RecordingQueue implements MessageQueue {
  /** Every subscription, in order, with the method it came through. */
  readonly subscriptions: Array<Subscription & { readonly kind: MessageKind }> = [];

  get events(): Subscription[] {
    return this.subscriptions.filter((s) => s.kind === 'event');
  }

  get commands(): Subscription[] {
    return this.subscriptions.filter((s) => s.kind === 'command');
  }

  async publishEvent(): Promise<void> {}
  async publishCommand(): Promise<void> {}
  async subscribeToEvents(subscription: Subscription): Promise<Unsubscribe> {
    this.subscriptions.push({ ...subscription, kind: 'event' });
    return async () => undefined;
  }
  async subscribeToCommands(subscription: Subscription): Promise<Unsubscribe> {
    this.subscriptions.push({ ...subscription, kind: 'command' });
    return async () => undefined;
  }
  async close(): Promise<void> {}
}
