import { setMaxListeners } from 'node:events';
import type { ConsumeMessage } from 'amqplib';
import type { Logger } from '../../logging/logger';
import type { MessageKind } from '../envelope';
import { describeError, RetryableError } from '../../kernel/errors';
import type { Subscription } from '../message-queue';
import { ConsumerChannel } from './consumer-channel';
import type { DeliveryProcessor } from './delivery-processor';
import type { KeySerializer } from './key-serializer';
import { orderingKeyOf, parseBody } from './message-headers';
import type { RabbitMqConnection } from './rabbitmq-connection';
import type { ConsumerQueues, RabbitMqTopology } from './rabbitmq-topology';

export interface RabbitMqConsumerDeps {
  readonly connection: RabbitMqConnection;
  readonly topology: RabbitMqTopology;
  readonly processor: DeliveryProcessor;
  /** Shared by every subscription of the same consumer in this process. */
  readonly keys: KeySerializer;
  readonly prefetch: number;
  readonly logger: Logger;
}

const MAX_RESTART_DELAY_MS = 5_000;

/**
 * One subscription's consumer: its own channel (so its prefetch is its own), its topology, and
 * the deliveries in flight. It consumes again whenever it loses its channel or the broker cancels
 * it (queue deleted, quorum leader moved), and after every reconnect.
 */
export class RabbitMqConsumer {
  private current: { channel: ConsumerChannel; tag: string | undefined } | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly kind: MessageKind,
    private readonly subscription: Subscription,
    private readonly deps: RabbitMqConsumerDeps,
  ) {
    // Every delivery in flight may wait on this signal (an in-process retry, a give-back pause),
    // and those of a lost channel still finish while the new channel takes its prefetch: many
    // listeners on one signal is how this works, not a leak (Node warns past 10 by default).
    setMaxListeners(Math.max(10, 4 * deps.prefetch), this.stopping.signal);
  }

  /** The first start: a failure (e.g. a queue declared with other arguments) reaches the subscriber. */
  async start(): Promise<void> {
    try {
      await this.consume();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Consumes again in the background, retrying with backoff while the connection is up. */
  restart(delayMs = 0): void {
    if (this.stopping.signal.aborted) return;
    if (this.restartTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.restartTimer);
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.consume().then(
        () => (this.failures = 0),
        (error: unknown) => {
          this.failures += 1;
          this.deps.logger.warn({ consumer: this.subscription.consumer, err: describeError(error) }, 'cannot consume yet; will try again');
          // While disconnected there is nothing to retry against: the next connect restarts us.
          if (this.deps.connection.isConnected()) this.restart(Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** this.failures));
        },
      );
    }, delayMs);
  }

  /** Cancels the consumer, lets the deliveries in flight finish, then closes the channel. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    clearTimeout(this.restartTimer);
    await this.starting?.catch(() => undefined);
    const current = this.current;
    if (current?.tag !== undefined && current.channel.isOpen()) await current.channel.channel.cancel(current.tag).catch(() => undefined);
    await Promise.all([...this.inFlight]);
    // Messages delivered but never started (queued behind a key) go back to the broker here.
    if (current?.channel.isOpen()) await current.channel.channel.close().catch(() => undefined);
    this.current = undefined;
  }

  private consume(): Promise<void> {
    this.starting ??= this.openAndConsume().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async openAndConsume(): Promise<void> {
    if (this.stopping.signal.aborted || this.current?.tag !== undefined) return;
    const model = this.deps.connection.model();
    if (!model) throw new RetryableError('RabbitMQ is not connected');
    let wrapper = this.current?.channel.isOpen() ? this.current.channel : undefined;
    if (!wrapper) {
      const channel = await model.createChannel();
      const opened = new ConsumerChannel(channel);
      channel.on('error', (error: Error) =>
        this.deps.logger.warn({ consumer: this.subscription.consumer, err: describeError(error) }, 'RabbitMQ consumer channel error'),
      );
      channel.on('close', () => this.onChannelClosed(opened));
      this.current = { channel: opened, tag: undefined };
      await channel.prefetch(this.deps.prefetch);
      wrapper = opened;
    }
    const { consumer, types } = this.subscription;
    const queues = await this.deps.topology.declareConsumer(wrapper.channel, this.kind, consumer, types);
    const delivering = wrapper;
    const { consumerTag } = await wrapper.channel.consume(queues.work, (message) => this.onMessage(delivering, queues, message), { noAck: false });
    this.current = { channel: wrapper, tag: consumerTag };
  }

  private onChannelClosed(channel: ConsumerChannel): void {
    if (this.current?.channel !== channel) return;
    this.current = undefined;
    this.restart(100);
  }

  private onMessage(channel: ConsumerChannel, queues: ConsumerQueues, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us; the channel lives on and still acks what it delivered.
      this.deps.logger.warn({ consumer: this.subscription.consumer }, 'consumer cancelled by the broker; consuming again');
      if (this.current?.channel === channel) this.current = { channel, tag: undefined };
      this.restart(100);
      return;
    }
    try {
      const context = {
        consumer: this.subscription.consumer,
        queues,
        handler: this.subscription.handler,
        channel,
        retryInProcess: this.subscription.orderedByKey === true,
        signal: this.stopping.signal,
      };
      const body = parseBody(message.content);
      const key = this.subscription.orderedByKey ? orderingKeyOf(message, body) : undefined;
      const delivery =
        key === undefined
          ? this.deps.processor.process(message, body, context)
          : this.deps.keys.run(key, async () => {
              // Stopped or lost the channel while queued behind its key: the broker redelivers it.
              if (this.stopping.signal.aborted || !channel.isOpen()) return;
              await this.deps.processor.process(message, body, context);
            });
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    } catch (error) {
      // Never throw into amqplib's frame handling: it would take the connection down.
      this.deps.logger.error({ consumer: this.subscription.consumer, err: describeError(error) }, 'could not start handling a delivery');
    }
  }
}
