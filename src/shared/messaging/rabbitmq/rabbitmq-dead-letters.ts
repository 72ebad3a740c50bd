import type { Channel, GetMessage } from 'amqplib';
import { RetryableError } from '../../kernel/errors';
import { type DeadLetter, matchesReplayFilter, type ReplayFilter } from '../message-queue';
import type { ConfirmedPublisher } from './confirmed-publisher';
import { copyProperties, toDeadLetter } from './message-headers';
import type { RabbitMqConnection } from './rabbitmq-connection';
import type { RabbitMqTopology } from './rabbitmq-topology';

export interface RabbitMqDeadLettersDeps {
  readonly connection: RabbitMqConnection;
  readonly publisher: ConfirmedPublisher;
  readonly topology: RabbitMqTopology;
  /** The consumers `listDeadLetters()` looks at when given none: AMQP cannot list queues. */
  readonly knownConsumers: () => readonly string[];
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

/**
 * Dead-letter tooling over `<queue>.dlq`. AMQP has no way to peek, so each operation takes every
 * message of the queue without acking it, acks the ones it removed (a replayed one only after its
 * copy on the work queue is confirmed), and gives the rest back on closing: nothing is lost, even
 * if the process dies midway. Meant for operators, not for hot paths: the whole queue is read.
 */
export class RabbitMqDeadLetters {
  constructor(private readonly deps: RabbitMqDeadLettersDeps) {}

  async list(consumer?: string): Promise<DeadLetter[]> {
    const consumers = consumer === undefined ? this.deps.knownConsumers() : [consumer];
    const found: DeadLetter[] = [];
    for (const name of consumers) found.push(...(await this.withDeadLetters(name, async (messages) => messages.map((m) => toDeadLetter(name, m)))));
    return found;
  }

  async replay(consumer: string, filter: ReplayFilter = {}): Promise<number> {
    const { work } = this.deps.topology.consumerQueues(consumer);
    return this.withDeadLetters(consumer, async (messages, channel) => {
      let replayed = 0;
      for (const message of messages) {
        if (!matchesReplayFilter(toDeadLetter(consumer, message), filter)) continue;
        // A replay is a fresh start: the failure headers go, so the attempts count from 1 again.
        await this.deps.publisher.publish({
          exchange: '',
          routingKey: work,
          content: message.content,
          properties: copyProperties(message, {}, true),
          mandatory: true,
        });
        channel.ack(message);
        replayed += 1;
      }
      return replayed;
    });
  }

  async purge(consumer: string, filter: ReplayFilter = {}): Promise<number> {
    return this.withDeadLetters(consumer, async (messages, channel) => {
      const doomed = messages.filter((message) => matchesReplayFilter(toDeadLetter(consumer, message), filter));
      for (const message of doomed) channel.ack(message);
      return doomed.length;
    });
  }

  private async withDeadLetters<T>(consumer: string, use: (messages: GetMessage[], channel: Channel) => Promise<T>): Promise<T> {
    const model = this.deps.connection.model();
    if (!model) throw new RetryableError('RabbitMQ is not connected');
    const channel = await model.createChannel();
    // A missing queue closes the channel (404); the failed get reports it, so the event is noise.
    channel.on('error', () => undefined);
    const { deadLetter } = this.deps.topology.consumerQueues(consumer);
    const messages: GetMessage[] = [];
    try {
      for (;;) {
        const message = await channel.get(deadLetter, { noAck: false });
        if (message === false) break;
        messages.push(message);
      }
    } catch (error) {
      await channel.close().catch(() => undefined);
      if (isNotFound(error)) return use([], channel);
      throw error;
    }
    try {
      return await use(messages, channel);
    } finally {
      try {
        channel.nackAll(true);
      } catch {
        // Closed already: the broker took the unacked messages back itself.
      }
      await channel.close().catch(() => undefined);
    }
  }
}
