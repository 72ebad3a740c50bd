import type { ContractRegistry } from '../contract-registry';
import type { MessageKind } from '../envelope';
import type { Subscription, Unsubscribe } from '../message-queue';
import type { ConsumerQueue } from './consumer-queue';
import type { QueuedMessage } from './queued-message';

type Enqueue = (queue: ConsumerQueue, message: QueuedMessage) => void;

/**
 * The routing table: which consumer queues exist, which types each is bound to, and which single
 * consumer owns each command type. Queues and bindings outlive subscriptions, as on a broker.
 */
export class Subscriptions {
  private readonly consumerQueues = new Map<string, ConsumerQueue>();
  private readonly commandOwners = new Map<string, string>();
  /** Commands published before their consumer existed: kept, like a command queue declared up front. */
  private unrouted: QueuedMessage[] = [];

  constructor(
    private readonly registry: ContractRegistry,
    private readonly createQueue: (consumer: string) => ConsumerQueue,
  ) {}

  subscribe(kind: MessageKind, subscription: Subscription, enqueue: Enqueue): Unsubscribe {
    this.check(kind, subscription);
    const queue = this.consumerQueues.get(subscription.consumer) ?? this.createQueue(subscription.consumer);
    this.consumerQueues.set(subscription.consumer, queue);
    queue.bind(subscription.types);
    const unsubscribe = queue.subscribe(subscription);
    if (kind === 'command') {
      for (const type of subscription.types) this.commandOwners.set(type, subscription.consumer);
      const waiting = this.unrouted.filter((m) => subscription.types.includes(m.type));
      this.unrouted = this.unrouted.filter((m) => !subscription.types.includes(m.type));
      for (const message of waiting) enqueue(queue, message);
    }
    return unsubscribe;
  }

  /** The queues that get a copy; an event nobody is bound to is dropped, as by a topic exchange. */
  route(kind: MessageKind, message: QueuedMessage): ConsumerQueue[] {
    if (kind === 'event') return this.queues().filter((queue) => queue.isBound(message.type));
    const owner = this.commandOwners.get(message.type);
    const queue = owner === undefined ? undefined : this.consumerQueues.get(owner);
    if (queue) return [queue];
    this.unrouted.push(message);
    return [];
  }

  queue(consumer: string): ConsumerQueue | undefined {
    return this.consumerQueues.get(consumer);
  }

  queues(): ConsumerQueue[] {
    return [...this.consumerQueues.values()];
  }

  private check(kind: MessageKind, { consumer, types }: Subscription): void {
    if (consumer.trim() === '') throw new Error('a subscription needs a consumer name');
    if (types.length === 0) throw new Error(`consumer ${consumer} subscribes to no message types`);
    const method = kind === 'event' ? 'subscribeToEvents' : 'subscribeToCommands';
    for (const type of types) {
      const actual = this.registry.kindOf(type);
      if (actual === undefined) throw new Error(`consumer ${consumer} cannot subscribe to ${type}: no contract is registered for it`);
      if (actual !== kind) throw new Error(`consumer ${consumer} cannot subscribe to ${type} with ${method}: it is a ${actual}`);
      const owner = this.commandOwners.get(type);
      if (kind === 'command' && owner !== undefined && owner !== consumer) {
        throw new Error(`command ${type} is already handled by consumer ${owner}; a command has exactly one handling consumer, so ${consumer} cannot subscribe to it`);
      }
    }
  }
}
