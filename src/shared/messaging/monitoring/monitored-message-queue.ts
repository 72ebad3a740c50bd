import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import type { Logger } from '../../logging/logger';
import type { Envelope } from '../envelope';
import { AwaitingPrecedingMessageError, describeError } from '../../kernel/errors';
import {
  type DeadLetter,
  type DeadLetterAdmin,
  type DeadLetteredEvent,
  type DeliveryObserver,
  isDeadLetterAdmin,
  isObservableDelivery,
  type MessageQueue,
  type ObservableDelivery,
  type PublishOptions,
  type ReplayFilter,
  type RetryScheduledEvent,
  type Subscription,
  type Unsubscribe,
} from '../message-queue';
import { isQueueDepthSource } from '../queue-depths';
import { ConsumerQueueMetrics } from './consumer-queue-metrics';
import { messageLogFields } from './message-log-fields';
import { MessagingMetrics, type MessagingStats } from './messaging-metrics';

export interface MonitoredMessageQueueOptions {
  readonly logger: Logger;
  /** Where the metrics go; by default a registry of this instance (never the global one). */
  readonly metricsRegistry?: Registry;
  /** Milliseconds since the epoch, on the clock messages are created by (`occurredAt`): critical time is measured on it. */
  readonly now?: () => number;
}

const elapsedMs = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000;

/**
 * Counts, times and logs every publish and delivery of the queue it wraps, without changing
 * what the queue does. Retries and dead letters are known only to the transport: they arrive
 * through its delivery observer, when it has one.
 */
export class MonitoredMessageQueue implements MessageQueue, DeadLetterAdmin, ObservableDelivery {
  readonly metricsRegistry: Registry;
  private readonly metrics: MessagingMetrics;
  private readonly consumerMetrics: ConsumerQueueMetrics;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly detach: (() => void) | undefined;

  constructor(
    private readonly inner: MessageQueue,
    options: MonitoredMessageQueueOptions,
  ) {
    this.logger = options.logger;
    this.metricsRegistry = options.metricsRegistry ?? new Registry();
    this.metrics = new MessagingMetrics(this.metricsRegistry);
    this.now = options.now ?? Date.now;
    this.consumerMetrics = new ConsumerQueueMetrics(this.metricsRegistry, {
      logger: this.logger,
      now: this.now,
      ...(isQueueDepthSource(inner) ? { depths: inner } : {}),
    });
    this.detach = isObservableDelivery(inner)
      ? inner.addDeliveryObserver({ retryScheduled: (e) => this.onRetryScheduled(e), deadLettered: (e) => this.onDeadLettered(e) })
      : undefined;
  }

  publishEvent(message: Envelope, options?: PublishOptions): Promise<void> {
    return this.timePublish(message, () => this.inner.publishEvent(message, options));
  }

  publishCommand(message: Envelope, options?: PublishOptions): Promise<void> {
    return this.timePublish(message, () => this.inner.publishCommand(message, options));
  }

  subscribeToEvents(subscription: Subscription): Promise<Unsubscribe> {
    return this.inner.subscribeToEvents(this.monitor(subscription));
  }

  subscribeToCommands(subscription: Subscription): Promise<Unsubscribe> {
    return this.inner.subscribeToCommands(this.monitor(subscription));
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.detach?.();
    }
  }

  /** Waits for the wrapped queue to have nothing left to do, when it can tell (in-memory). */
  whenIdle(): Promise<void> {
    const inner = this.inner as { whenIdle?: () => Promise<void> };
    if (typeof inner.whenIdle !== 'function') return Promise.reject(new Error('the wrapped message queue cannot tell when it is idle'));
    return inner.whenIdle();
  }

  async listDeadLetters(consumer?: string): Promise<DeadLetter[]> {
    return this.admin().listDeadLetters(consumer);
  }

  async replayDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number> {
    return this.admin().replayDeadLetters(consumer, filter);
  }

  async purgeDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number> {
    return this.admin().purgeDeadLetters(consumer, filter);
  }

  addDeliveryObserver(observer: DeliveryObserver): () => void {
    if (!isObservableDelivery(this.inner)) throw new Error('the wrapped message queue reports no deliveries');
    return this.inner.addDeliveryObserver(observer);
  }

  metricsText(): Promise<string> {
    return this.metricsRegistry.metrics();
  }

  stats(): MessagingStats {
    return this.metrics.stats();
  }

  private admin(): DeadLetterAdmin {
    if (!isDeadLetterAdmin(this.inner)) throw new Error('the wrapped message queue has no dead-letter administration');
    return this.inner;
  }

  private async timePublish(message: Envelope, publish: () => Promise<void>): Promise<void> {
    const start = performance.now();
    const fields = messageLogFields(message);
    const type = fields.type ?? 'unknown';
    try {
      await publish();
    } catch (error) {
      const durationMs = elapsedMs(start);
      this.metrics.publishFailed(type, message.kind, durationMs / 1000);
      this.logger.warn({ ...fields, kind: message.kind, durationMs, err: describeError(error) }, 'message publish failed');
      throw error;
    }
    const durationMs = elapsedMs(start);
    this.metrics.published(type, message.kind, durationMs / 1000);
    this.logger.debug({ ...fields, kind: message.kind, durationMs }, 'message published');
  }

  private monitor(subscription: Subscription): Subscription {
    const { consumer, handler } = subscription;
    this.consumerMetrics.subscribed(consumer);
    // Without an observer, a failure is all we learn: log it as one the transport will retry.
    const failureLevel = this.detach ? 'debug' : 'warn';
    return {
      ...subscription,
      handler: async (message, delivery) => {
        const start = performance.now();
        const fields = { ...messageLogFields(message), consumer, attempt: delivery?.attempt };
        const createdAt = Date.parse(message.occurredAt);
        const finished = this.consumerMetrics.started(consumer, createdAt);
        try {
          await handler(message, delivery);
        } catch (error) {
          finished();
          const durationMs = elapsedMs(start);
          this.metrics.handlerFailed(consumer, message.type, durationMs / 1000);
          const level = failureLevel === 'warn' && error instanceof AwaitingPrecedingMessageError ? 'info' : failureLevel;
          this.logger[level]({ ...fields, durationMs, err: describeError(error) }, 'message handler failed');
          throw error;
        }
        finished();
        const durationMs = elapsedMs(start);
        this.metrics.handled(consumer, message.type, durationMs / 1000);
        if (!Number.isNaN(createdAt)) this.metrics.handledAfterCreation(consumer, message.type, (this.now() - createdAt) / 1000);
        this.logger.debug({ ...fields, durationMs }, 'message handled');
      },
    };
  }

  private onRetryScheduled(event: RetryScheduledEvent): void {
    this.metrics.retried(event.consumer, event.message.type);
    const fields = {
      ...messageLogFields(event.message),
      consumer: event.consumer,
      attempt: event.attempt,
      delayMs: event.delayMs,
      err: describeError(event.error),
    };
    // Waiting for a message that is on its way is normal order of events, not a failure.
    if (event.error instanceof AwaitingPrecedingMessageError) this.logger.info(fields, 'message waits for one it depends on; will retry');
    else this.logger.warn(fields, 'message handling failed; will retry');
  }

  private onDeadLettered({ deadLetter, error }: DeadLetteredEvent): void {
    this.metrics.deadLettered(deadLetter.consumer, deadLetter.messageType || 'unknown', deadLetter.errorClass);
    this.logger.error(
      {
        ...messageLogFields(deadLetter.message),
        type: deadLetter.messageType,
        consumer: deadLetter.consumer,
        attempt: deadLetter.attempts,
        deadLetterId: deadLetter.id,
        err: describeError(error),
      },
      'message dead-lettered',
    );
  }
}
