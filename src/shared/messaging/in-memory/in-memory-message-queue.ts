import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../kernel/retry';
import type { ContractRegistry } from '../contract-registry';
import type { Envelope, MessageKind } from '../envelope';
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
import { IN_MEMORY_SYSTEM, tracedMessage } from '../message-tracing';
import { traceSend } from '../../tracing/spans';
import { ConsumerQueue, type DeliveryDeps } from './consumer-queue';
import { DeadLetterStore } from './dead-letter-store';
import { DeliveryObservers } from '../delivery-observers';
import { FaultInjector, type FaultOptions, type FaultStats, NO_FAULT } from './fault-injector';
import { PendingWork } from './pending-work';
import { copyOf, type QueuedMessage, queuedMessage, toWire } from './queued-message';
import { Subscriptions } from './subscriptions';

export interface InMemoryMessageQueueOptions {
  readonly registry: ContractRegistry;
  readonly retryPolicy?: RetryPolicy;
  /** Jitter source for retry delays; pass a seeded one for reproducible tests. */
  readonly random?: () => number;
  readonly faults?: FaultOptions;
  /** Most deliveries in flight per consumer. */
  readonly prefetch?: number;
  readonly now?: () => Date;
}

/**
 * The RabbitMQ design in one process: a durable queue per consumer, events fanned out by type,
 * commands point to point, acks when the handler resolves, retries with backoff, dead letters,
 * and optional seeded faults (drop, duplicate, delay, reorder) to prove workflows converge.
 */
export class InMemoryMessageQueue implements MessageQueue, DeadLetterAdmin, ObservableDelivery, QueueDepthSource {
  private readonly subscriptions: Subscriptions;
  private readonly deadLetters = new DeadLetterStore();
  private readonly observers = new DeliveryObservers();
  private readonly work = new PendingWork();
  private readonly faults: FaultInjector | undefined;
  private readonly now: () => Date;
  private seq = 0;
  private closed = false;

  constructor(private readonly options: InMemoryMessageQueueOptions) {
    this.faults = options.faults ? new FaultInjector(options.faults) : undefined;
    this.now = options.now ?? (() => new Date());
    const prefetch = options.prefetch ?? 10;
    if (!(Number.isInteger(prefetch) && prefetch >= 1)) throw new Error(`prefetch must be a positive integer, got ${prefetch}`);
    const deps: DeliveryDeps = {
      registry: options.registry,
      retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      random: options.random ?? Math.random,
      prefetch,
      work: this.work,
      now: this.now,
      isClosed: () => this.closed,
      deadLetter: (consumer, message, error) =>
        this.observers.deadLettered({ deadLetter: this.deadLetters.record(consumer, message, error, this.now()), error }),
      retryScheduled: (event) => this.observers.retryScheduled(event),
    };
    this.subscriptions = new Subscriptions(options.registry, (name) => new ConsumerQueue(name, deps));
  }

  publishEvent(message: Envelope, options?: PublishOptions): Promise<void> {
    return this.publish('event', message, options, true);
  }

  publishCommand(message: Envelope, options?: PublishOptions): Promise<void> {
    return this.publish('command', message, options, true);
  }

  /** Publishes without validation: simulates a producer on another schema version (tests only). */
  publishUnchecked(kind: MessageKind, raw: unknown, options?: PublishOptions): Promise<void> {
    return this.publish(kind, raw, options, false);
  }

  async subscribeToEvents(subscription: Subscription): Promise<Unsubscribe> {
    this.assertOpen();
    return this.subscriptions.subscribe('event', subscription, (queue, message) => this.enqueueFirstDelivery(queue, message));
  }

  async subscribeToCommands(subscription: Subscription): Promise<Unsubscribe> {
    this.assertOpen();
    return this.subscriptions.subscribe('command', subscription, (queue, message) => this.enqueueFirstDelivery(queue, message));
  }

  /** Resolves when nothing is in flight or scheduled; messages nobody subscribes to do not count. */
  whenIdle(): Promise<void> {
    return this.work.whenIdle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.work.clearTimers();
    await Promise.all(this.subscriptions.queues().map((queue) => queue.drain()));
  }

  /** Exact: every consumer queue, its waiting messages (the oldest one's creation time too), retries and dead letters. */
  async queueDepths(): Promise<ConsumerQueueDepth[]> {
    return this.subscriptions.queues().map((queue) => queue.depth(this.deadLetters.list(queue.name).length));
  }

  faultStats(): FaultStats {
    return this.faults?.stats() ?? { dropped: 0, duplicated: 0, delayed: 0, reordered: 0 };
  }

  addDeliveryObserver(observer: DeliveryObserver): () => void {
    return this.observers.add(observer);
  }

  async listDeadLetters(consumer?: string): Promise<DeadLetter[]> {
    return this.deadLetters.list(consumer);
  }

  async replayDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number> {
    this.assertOpen();
    const queue = this.subscriptions.queue(consumer);
    if (!queue) return 0;
    const replayed = this.deadLetters.take(consumer, filter);
    // A replay is a fresh start: new attempt count, at the back of the consumer's queue.
    for (const deadLetter of replayed) queue.enqueue(queuedMessage(++this.seq, deadLetter.message));
    return replayed.length;
  }

  async purgeDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number> {
    return this.deadLetters.take(consumer, filter).length;
  }

  private async publish(kind: MessageKind, raw: unknown, options: PublishOptions | undefined, check: boolean): Promise<void> {
    this.assertOpen();
    if (check) checkPublish(this.options.registry, kind, raw);
    await traceSend(tracedMessage(raw), { system: IN_MEMORY_SYSTEM, destination: `${kind}s` }, async (trace) => {
      const message = queuedMessage(++this.seq, toWire(raw), trace);
      const delayMs = options?.delayMs ?? 0;
      if (delayMs > 0) this.work.schedule(() => this.route(kind, message), delayMs);
      else this.route(kind, message);
    });
  }

  private route(kind: MessageKind, message: QueuedMessage): void {
    if (this.closed) return;
    for (const queue of this.subscriptions.route(kind, message)) this.enqueueFirstDelivery(queue, copyOf(message));
  }

  /** Faults hit first deliveries only: retries and replays are the transport's own business. */
  private enqueueFirstDelivery(queue: ConsumerQueue, message: QueuedMessage): void {
    const fault = this.faults?.decide() ?? NO_FAULT;
    if (fault.drop) return;
    if (fault.duplicate) queue.enqueue(copyOf(message));
    if (fault.delayMs !== undefined) {
      this.work.schedule(() => queue.enqueue(message), fault.delayMs);
    } else if (fault.reorder) {
      queue.holdBack(message);
      this.work.schedule(() => queue.releaseHeldBack(), 0);
    } else {
      queue.enqueue(message);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the message queue is closed');
  }
}
