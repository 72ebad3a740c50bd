import type { ContractRegistry } from '../contract-registry';
import { type Envelope, envelopeField } from '../envelope';
import { decideRetry, type RetryPolicy } from '../../kernel/retry';
import type { RetryScheduledEvent, Subscription } from '../message-queue';
import type { ConsumerQueueDepth } from '../queue-depths';
import type { PendingWork } from './pending-work';
import type { QueuedMessage } from './queued-message';
import { IN_MEMORY_SYSTEM, tracedMessage } from '../message-tracing';
import { traceProcess } from '../../tracing/spans';

export interface DeliveryDeps {
  readonly registry: ContractRegistry;
  readonly retryPolicy: RetryPolicy;
  readonly random: () => number;
  /** Most deliveries of one consumer in flight at once. */
  readonly prefetch: number;
  readonly work: PendingWork;
  readonly now: () => Date;
  isClosed(): boolean;
  deadLetter(consumer: string, message: QueuedMessage, error: unknown): void;
  retryScheduled(event: RetryScheduledEvent): void;
}

interface ActiveSubscription {
  readonly subscription: Subscription;
  readonly inFlight: Set<Promise<void>>;
}

/**
 * A consumer's durable queue: it exists from the first subscribe, keeps collecting while nobody
 * listens, and hands each message to one of the consumer's competing subscriptions.
 */
export class ConsumerQueue {
  private readonly ready: QueuedMessage[] = [];
  private readonly heldBack: QueuedMessage[] = [];
  private readonly bindings = new Set<string>();
  private readonly subscribers: ActiveSubscription[] = [];
  /** Per key, the message that must finish (ack or dead letter) before the next one may start. */
  private readonly keyOwners = new Map<string, QueuedMessage>();
  private inFlight = 0;
  /** Failed deliveries waiting out their backoff. */
  private retrying = 0;
  private turn = 0;

  constructor(
    readonly name: string,
    private readonly deps: DeliveryDeps,
  ) {}

  bind(types: readonly string[]): void {
    for (const type of types) this.bindings.add(type);
  }

  isBound(type: string): boolean {
    return this.bindings.has(type);
  }

  subscribe(subscription: Subscription): () => Promise<void> {
    const active: ActiveSubscription = { subscription, inFlight: new Set() };
    this.subscribers.push(active);
    this.dispatch();
    // Resolves once this subscription's handlers finished: so do not await it inside one of them.
    return async () => {
      const index = this.subscribers.indexOf(active);
      if (index >= 0) this.subscribers.splice(index, 1);
      await Promise.all([...active.inFlight]);
    };
  }

  enqueue(message: QueuedMessage): void {
    this.ready.push(message);
    // A held-back message goes behind the one that arrived after it: that is the reordering.
    this.ready.push(...this.heldBack.splice(0));
    this.dispatch();
  }

  holdBack(message: QueuedMessage): void {
    this.heldBack.push(message);
  }

  /** Lets held-back messages through when nothing arrived behind them. */
  releaseHeldBack(): void {
    if (this.heldBack.length === 0) return;
    this.ready.push(...this.heldBack.splice(0));
    this.dispatch();
  }

  /** What waits in this queue now (dead letters are the transport's: it passes their count). */
  depth(deadLettered: number): ConsumerQueueDepth {
    const waiting = [...this.ready, ...this.heldBack];
    let oldest: number | undefined;
    for (const message of waiting) {
      const created = Date.parse(envelopeField(message.raw, 'occurredAt') ?? '');
      if (!Number.isNaN(created) && (oldest === undefined || created < oldest)) oldest = created;
    }
    return {
      consumer: this.name,
      waiting: waiting.length,
      retrying: this.retrying,
      deadLettered,
      oldestWaitingSince: oldest === undefined ? null : new Date(oldest),
    };
  }

  /** Waits for every handler of this consumer still running. */
  async drain(): Promise<void> {
    await Promise.all(this.subscribers.flatMap((s) => [...s.inFlight]));
  }

  private ordered(): boolean {
    return this.subscribers.some((s) => s.subscription.orderedByKey === true);
  }

  private dispatch(): void {
    if (this.deps.isClosed()) return;
    const ordered = this.ordered();
    let index = 0;
    while (index < this.ready.length && this.inFlight < this.deps.prefetch) {
      const message = this.ready[index] as QueuedMessage;
      const keyed = ordered && message.key !== undefined;
      const owner = keyed ? this.keyOwners.get(message.key) : undefined;
      const subscriber = owner === undefined || owner === message ? this.pickSubscriber(message.type) : undefined;
      if (subscriber === undefined) {
        index += 1;
        continue;
      }
      this.ready.splice(index, 1);
      if (keyed) this.keyOwners.set(message.key, message);
      this.start(message, subscriber);
    }
  }

  private pickSubscriber(type: string): ActiveSubscription | undefined {
    const candidates = this.subscribers.filter((s) => s.subscription.types.includes(type));
    if (candidates.length === 0) return undefined;
    this.turn = (this.turn + 1) % candidates.length;
    return candidates[this.turn];
  }

  private start(message: QueuedMessage, subscriber: ActiveSubscription): void {
    this.inFlight += 1;
    this.deps.work.begin();
    const delivery = this.deliver(message, subscriber).finally(() => {
      subscriber.inFlight.delete(delivery);
      this.inFlight -= 1;
      this.dispatch();
      this.deps.work.end();
    });
    subscriber.inFlight.add(delivery);
  }

  private async deliver(message: QueuedMessage, subscriber: ActiveSubscription): Promise<void> {
    // Never run a handler inside the publisher's call stack.
    await Promise.resolve();
    message.attempts += 1;
    let envelope: Envelope;
    try {
      envelope = this.deps.registry.validate(message.raw);
    } catch (error) {
      this.finish(message);
      this.deps.deadLetter(this.name, message, error);
      return;
    }
    try {
      const attempt = message.attempts;
      const where = { system: IN_MEMORY_SYSTEM, destination: this.name, consumer: this.name, attempt };
      await traceProcess(tracedMessage(envelope), message.trace, where, () =>
        subscriber.subscription.handler(envelope, { consumer: this.name, attempt, redelivered: attempt > 1 }),
      );
      this.finish(message);
    } catch (error) {
      this.failed(message, envelope, error);
    }
  }

  private failed(message: QueuedMessage, envelope: Envelope, error: unknown): void {
    const now = this.deps.now();
    message.firstFailedAt ??= now.toISOString();
    const failingForMs = Math.max(0, now.getTime() - Date.parse(message.firstFailedAt) || 0);
    const decision = decideRetry(this.deps.retryPolicy, error, message.attempts, this.deps.random, message.startedOver, failingForMs);
    if (!decision.retry) {
      this.finish(message);
      this.deps.deadLetter(this.name, message, error);
      return;
    }
    if (this.deps.isClosed()) {
      this.ready.unshift(message);
      return;
    }
    const { delayMs } = decision;
    this.deps.retryScheduled({ consumer: this.name, message: envelope, attempt: message.attempts, delayMs, error });
    if (decision.startOver) {
      // A fresh set of attempts, once: the next delivery is attempt 1 again.
      message.startedOver = true;
      message.attempts = 0;
    }
    // The message keeps its key while it waits, so later messages of that key stay behind it.
    this.retrying += 1;
    this.deps.work.schedule(() => {
      this.retrying -= 1;
      this.ready.unshift(message);
      this.dispatch();
    }, delayMs);
  }

  private finish(message: QueuedMessage): void {
    if (message.key !== undefined && this.keyOwners.get(message.key) === message) this.keyOwners.delete(message.key);
  }
}
