import type { Channel } from 'amqplib';
import type { MessageKind } from '../envelope';

export type QueueType = 'quorum' | 'classic';

/** The three queues every consumer owns. */
export interface ConsumerQueues {
  /** Where the consumer's messages wait; bound to the exchange by message type. */
  readonly work: string;
  /** Holds failed deliveries for their backoff, then dead-letters them back to `work`. */
  readonly retry: string;
  /** Parks messages that will not be retried, until an operator replays or purges them. */
  readonly deadLetter: string;
}

export interface DeclaredTopology {
  readonly exchanges: readonly string[];
  readonly queues: readonly string[];
}

/**
 * Names and declares the broker objects. Every declaration is idempotent (same arguments each
 * time), so it is repeated on each (re)connect and (re)subscribe: a broker that lost its state
 * gets it back, and a queue deleted under a consumer comes back when it re-consumes.
 */
export class RabbitMqTopology {
  private readonly exchanges = new Set<string>();
  private readonly queues = new Set<string>();

  constructor(
    readonly prefix: string,
    private readonly queueType: QueueType,
  ) {}

  exchange(kind: MessageKind): string {
    return `${this.prefix}.${kind === 'event' ? 'events' : 'commands'}`;
  }

  /** Messages published with a delay wait here, keeping their routing key (the message type). */
  delayExchange(kind: MessageKind): string {
    return `${this.exchange(kind)}.delay`;
  }

  consumerQueues(consumer: string): ConsumerQueues {
    const work = `${this.prefix}.${consumer}`;
    return { work, retry: `${work}.retry`, deadLetter: `${work}.dlq` };
  }

  /** What this instance declared so far: lets tests and tooling clean up after themselves. */
  declared(): DeclaredTopology {
    return { exchanges: [...this.exchanges], queues: [...this.queues] };
  }

  async declareExchanges(channel: Channel): Promise<void> {
    for (const kind of ['event', 'command'] as const) {
      const exchange = this.exchange(kind);
      const delayExchange = this.delayExchange(kind);
      const delayQueue = `${exchange}.delayed`;
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.assertExchange(delayExchange, 'fanout', { durable: true });
      // An expired message is dead-lettered to the real exchange with its original routing key,
      // i.e. routed as if published just now.
      await channel.assertQueue(delayQueue, { durable: true, arguments: { ...this.holdingQueueArguments(), 'x-dead-letter-exchange': exchange } });
      await channel.bindQueue(delayQueue, delayExchange, '');
      this.exchanges.add(exchange).add(delayExchange);
      this.queues.add(delayQueue);
    }
  }

  /**
   * The retry and delay queues hold messages for their per-message TTL, then dead-letter them.
   * They are of the same type as the work queues: a classic queue lives on one node, and while
   * that node is down in a cluster it can be neither declared nor used, so a client that failed
   * over could not set up. Quorum queues (RabbitMQ 3.10+) take a per-message TTL too and
   * dead-letter at least once (which needs `reject-publish` overflow): a message that expires
   * while its target is unavailable waits instead of being dropped.
   */
  private holdingQueueArguments(): Record<string, string> {
    if (this.queueType === 'classic') return { 'x-queue-type': 'classic' };
    return { 'x-queue-type': 'quorum', 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' };
  }

  async declareConsumer(channel: Channel, kind: MessageKind, consumer: string, types: readonly string[]): Promise<ConsumerQueues> {
    const queues = this.consumerQueues(consumer);
    const durable = { durable: true, arguments: { 'x-queue-type': this.queueType } };
    await channel.assertQueue(queues.work, durable);
    // A retry waits out its per-message `expiration` here, then goes back to the work queue only
    // (default exchange), so a retry never reaches the other consumers of an event again.
    await channel.assertQueue(queues.retry, {
      durable: true,
      arguments: { ...this.holdingQueueArguments(), 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queues.work },
    });
    await channel.assertQueue(queues.deadLetter, durable);
    for (const type of types) await channel.bindQueue(queues.work, this.exchange(kind), type);
    this.queues.add(queues.work).add(queues.retry).add(queues.deadLetter);
    return queues;
  }
}
