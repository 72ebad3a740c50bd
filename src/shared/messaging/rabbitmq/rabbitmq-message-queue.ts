import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../kernel/retry';
import { silentLogger, type Logger } from '../../logging/logger';
import type { ContractRegistry } from '../contract-registry';
import { type Envelope, envelopeField, type MessageKind } from '../envelope';
import { DeliveryObservers } from '../delivery-observers';
import {
  type DeadLetter,
  type DeadLetterAdmin,
  type DeliveryObserver,
  type MessageQueue,
  type ObservableDelivery,
  type PublishOptions,
  type ReplayFilter,
  type Subscription,
  type Unsubscribe,
} from '../message-queue';
import type { ConsumerQueueDepth, QueueDepthSource } from '../queue-depths';
import { checkPublish } from '../transport-rules';
import { RABBITMQ_SYSTEM, tracedMessage } from '../message-tracing';
import { traceSend } from '../../tracing/spans';
import { ConfirmedPublisher } from './confirmed-publisher';
import { DeliveryProcessor } from './delivery-processor';
import { envelopeProperties, traceHeaders } from './message-headers';
import { RabbitMqConnection, type ReconnectOptions } from './rabbitmq-connection';
import { RabbitMqDeadLetters } from './rabbitmq-dead-letters';
import { rabbitMqQueueDepths } from './rabbitmq-queue-depths';
import { RabbitMqSubscriptions } from './rabbitmq-subscriptions';
import { type DeclaredTopology, type QueueType, RabbitMqTopology } from './rabbitmq-topology';

export interface RabbitMqMessageQueueOptions {
  /** One node's URL, or the nodes of a cluster (an array or a comma-separated list). */
  readonly url: string | readonly string[];
  readonly registry: ContractRegistry;
  readonly retryPolicy?: RetryPolicy;
  /** Most unacked deliveries per subscription. */
  readonly prefetch?: number;
  /** Every queue's type: work, retry, delay and dead-letter queues (quorum: replicated across a cluster). */
  readonly queueType?: QueueType;
  /** Prefix of every exchange and queue name; tests pass a unique one per run. */
  readonly exchangePrefix?: string;
  readonly publishTimeoutMs?: number;
  readonly logger?: Logger;
  /** How this process shows in the broker's connection list. */
  readonly connectionName?: string;
  readonly reconnect?: ReconnectOptions;
  /** Jitter source for retry delays. */
  readonly random?: () => number;
}

/** What the transport uses where its options say nothing. */
export const DEFAULT_RABBITMQ_OPTIONS = {
  prefetch: 50,
  queueType: 'quorum',
  exchangePrefix: 'refinery',
  publishTimeoutMs: 10_000,
} as const satisfies Partial<RabbitMqMessageQueueOptions>;

/**
 * The MessageQueue on RabbitMQ: durable topic exchanges `<prefix>.events` and `<prefix>.commands`,
 * a durable queue per consumer bound by message type, retries through `<queue>.retry` (per-message
 * TTL, then dead-lettered back), dead letters in `<queue>.dlq`, publisher confirms, manual acks.
 * `start()` connects (publish and subscribe call it too); the connection recovers by itself.
 *
 * Differences from the in-memory transport, by nature of a broker: a command published before any
 * queue is bound for its type is refused (RetryableError, so the outbox sends it again later)
 * rather than kept; `orderedByKey` orders a key within this process only; a retry may wait longer
 * than its backoff when a longer one is ahead of it in the retry queue (TTL expires at the head).
 */
export class RabbitMqMessageQueue implements MessageQueue, DeadLetterAdmin, ObservableDelivery, QueueDepthSource {
  private readonly topology: RabbitMqTopology;
  private readonly connection: RabbitMqConnection;
  private readonly publisher: ConfirmedPublisher;
  private readonly processor: DeliveryProcessor;
  private readonly deadLetters: RabbitMqDeadLetters;
  private readonly subscriptions: RabbitMqSubscriptions;
  private readonly observers = new DeliveryObservers();
  private readonly logger: Logger;
  private started: Promise<void> | undefined;
  private connectedOnce = false;
  private closed = false;

  constructor(private readonly options: RabbitMqMessageQueueOptions) {
    const prefetch = options.prefetch ?? DEFAULT_RABBITMQ_OPTIONS.prefetch;
    if (!(Number.isInteger(prefetch) && prefetch >= 1)) throw new Error(`prefetch must be a positive integer, got ${prefetch}`);
    this.logger = (options.logger ?? silentLogger()).child({ component: 'rabbitmq' });
    this.topology = new RabbitMqTopology(
      options.exchangePrefix ?? DEFAULT_RABBITMQ_OPTIONS.exchangePrefix,
      options.queueType ?? DEFAULT_RABBITMQ_OPTIONS.queueType,
    );
    this.connection = new RabbitMqConnection({
      url: options.url,
      connectionName: options.connectionName ?? `refinery-${process.pid}`,
      logger: this.logger,
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      setup: (channel) => this.topology.declareExchanges(channel),
      onConnected: () => this.subscriptions.restartAll(),
      onReturn: (message) => this.publisher.onReturn(message),
    });
    this.publisher = new ConfirmedPublisher(this.connection, options.publishTimeoutMs ?? DEFAULT_RABBITMQ_OPTIONS.publishTimeoutMs);
    this.processor = new DeliveryProcessor({
      registry: options.registry,
      retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      random: options.random ?? Math.random,
      now: () => new Date(),
      publisher: this.publisher,
      observers: this.observers,
      logger: this.logger,
    });
    const { connection, topology, publisher, processor, logger } = this;
    this.subscriptions = new RabbitMqSubscriptions(options.registry, { connection, topology, processor, prefetch, logger });
    this.deadLetters = new RabbitMqDeadLetters({ connection, publisher, topology, knownConsumers: () => this.subscriptions.consumerNames() });
  }

  /** Connects and declares the exchanges; rejects with a RetryableError if the broker stays unreachable. */
  start(): Promise<void> {
    this.assertOpen();
    this.started ??= this.connection.open().then(
      () => void (this.connectedOnce = true),
      (error: unknown) => {
        this.started = undefined;
        throw error;
      },
    );
    return this.started;
  }

  /** For health checks: false while the connection is down and being recovered. */
  isConnected(): boolean {
    return !this.closed && this.connection.isConnected();
  }

  /** The exchanges and queues this instance declared (for tests and tooling that clean up). */
  declaredTopology(): DeclaredTopology {
    return this.topology.declared();
  }

  publishEvent(message: Envelope, options?: PublishOptions): Promise<void> {
    return this.publish('event', message, options, true);
  }

  publishCommand(message: Envelope, options?: PublishOptions): Promise<void> {
    return this.publish('command', message, options, true);
  }

  /** Publishes without validation: plays a producer on another schema version (tests only). */
  publishUnchecked(kind: MessageKind, raw: unknown, options?: PublishOptions): Promise<void> {
    return this.publish(kind, raw, options, false);
  }

  subscribeToEvents(subscription: Subscription): Promise<Unsubscribe> {
    return this.subscribe('event', subscription);
  }

  subscribeToCommands(subscription: Subscription): Promise<Unsubscribe> {
    return this.subscribe('command', subscription);
  }

  addDeliveryObserver(observer: DeliveryObserver): () => void {
    return this.observers.add(observer);
  }

  /** Without a consumer: the dead letters of every consumer subscribed through this instance. */
  listDeadLetters(consumer?: string): Promise<DeadLetter[]> {
    return this.deadLetters.list(consumer);
  }

  replayDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number> {
    this.assertOpen();
    return this.deadLetters.replay(consumer, filter);
  }

  purgeDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number> {
    this.assertOpen();
    return this.deadLetters.purge(consumer, filter);
  }

  /** Ready, retrying and dead-lettered counts of every consumer subscribed through this instance, from the broker. */
  queueDepths(): Promise<ConsumerQueueDepth[]> {
    this.assertOpen();
    return rabbitMqQueueDepths(this.connection, this.topology, this.subscriptions.consumerNames());
  }

  /** Stops consuming, lets the handlers in flight finish (their acks and copies included), disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.stopAll();
    await this.started?.catch(() => undefined);
    await this.connection.close();
  }

  private async publish(kind: MessageKind, raw: unknown, options: PublishOptions | undefined, check: boolean): Promise<void> {
    this.assertOpen();
    if (check) checkPublish(this.options.registry, kind, raw);
    // Only the very first publish waits for a connection; later ones fail fast while it is down.
    if (!this.connectedOnce) await this.start();
    const routingKey = envelopeField(raw, 'type') ?? '';
    const delayMs = Math.round(options?.delayMs ?? 0);
    // Waits in the kind's delay queue, then is routed as usual; an unroutable command is lost then.
    const exchange = delayMs > 0 ? this.topology.delayExchange(kind) : this.topology.exchange(kind);
    await traceSend(tracedMessage(raw), { system: RABBITMQ_SYSTEM, destination: exchange, routingKey }, async (trace) => {
      const properties = { ...envelopeProperties(raw), ...traceHeaders(trace), ...(delayMs > 0 ? { expiration: String(delayMs) } : {}) };
      const content = Buffer.from((JSON.stringify(raw) as string | undefined) ?? 'null');
      // Mandatory for commands: a command nobody is bound for yet fails (and is sent again) rather than vanish.
      await this.publisher.publish({ exchange, routingKey, content, properties, mandatory: delayMs === 0 && kind === 'command' });
    });
  }

  private async subscribe(kind: MessageKind, subscription: Subscription): Promise<Unsubscribe> {
    this.assertOpen();
    this.subscriptions.check(kind, subscription);
    await this.start();
    return this.subscriptions.add(kind, subscription);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the message queue is closed');
  }
}
