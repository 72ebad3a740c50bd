import type { ContractRegistry } from '../contract-registry';
import type { MessageKind } from '../envelope';
import type { Subscription, Unsubscribe } from '../message-queue';
import { checkSubscription } from '../transport-rules';
import { KeySerializer } from './key-serializer';
import { RabbitMqConsumer, type RabbitMqConsumerDeps } from './rabbitmq-consumer';

export type SharedConsumerDeps = Omit<RabbitMqConsumerDeps, 'keys'>;

/**
 * The consumers of this process: each subscription's RabbitMqConsumer, the per-consumer key
 * serializers, which consumer owns which command, and every consumer name seen (for the
 * dead-letter tooling, since AMQP cannot list queues).
 */
export class RabbitMqSubscriptions {
  private readonly consumers = new Set<RabbitMqConsumer>();
  private readonly keySerializers = new Map<string, KeySerializer>();
  private readonly commandOwners = new Map<string, string>();
  private readonly names = new Set<string>();
  private stopped = false;

  constructor(
    private readonly registry: ContractRegistry,
    private readonly deps: SharedConsumerDeps,
  ) {}

  /** Refuses a bad subscription before anything touches the broker. */
  check(kind: MessageKind, subscription: Subscription): void {
    checkSubscription(this.registry, kind, subscription, this.commandOwners);
  }

  async add(kind: MessageKind, subscription: Subscription): Promise<Unsubscribe> {
    const keys = this.keySerializers.get(subscription.consumer) ?? new KeySerializer();
    this.keySerializers.set(subscription.consumer, keys);
    const consumer = new RabbitMqConsumer(kind, subscription, { ...this.deps, keys });
    await consumer.start();
    if (this.stopped) {
      await consumer.stop();
      throw new Error('the message queue is closed');
    }
    this.consumers.add(consumer);
    this.names.add(subscription.consumer);
    if (kind === 'command') for (const type of subscription.types) this.commandOwners.set(type, subscription.consumer);
    return async () => {
      this.consumers.delete(consumer);
      await consumer.stop();
    };
  }

  consumerNames(): string[] {
    return [...this.names];
  }

  /** After a reconnect: a recovered connection has none of our channels. */
  restartAll(): void {
    for (const consumer of this.consumers) consumer.restart();
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    const consumers = [...this.consumers];
    this.consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  }
}
