import type { ContractRegistry } from '../contract-registry';
import type { MessageKind } from '../envelope';
import type { Subscription, Unsubscribe } from '../message-queue';
import { checkSubscription } from '../transport-rules';
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
    checkSubscription(this.registry, kind, subscription, this.commandOwners);
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
}
