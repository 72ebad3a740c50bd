import type { Channel, ChannelModel } from 'amqplib';
import { RetryableError } from '../../kernel/errors';
import type { ConsumerQueueDepth } from '../queue-depths';
import type { RabbitMqConnection } from './rabbitmq-connection';
import type { RabbitMqTopology } from './rabbitmq-topology';

/**
 * Each consumer's queue depths from the broker itself: a passive declare (`checkQueue`) of its
 * work, retry and dead-letter queues on a channel of its own, closed afterwards. AMQP 0-9-1
 * gives a queue's ready-message count and nothing about its messages' age: seeing the oldest
 * waiting message would take it off the queue (and mark it redelivered) or need the management
 * plugin, so `oldestWaitingSince` stays unknown here. Messages delivered to a consumer and not yet
 * acknowledged are not in `waiting` (the broker counts ready messages only).
 */
export async function rabbitMqQueueDepths(
  connection: RabbitMqConnection,
  topology: RabbitMqTopology,
  consumers: readonly string[],
): Promise<ConsumerQueueDepth[]> {
  const model = connection.model();
  if (!model) throw new RetryableError('RabbitMQ is not connected');
  const depths: ConsumerQueueDepth[] = [];
  let channel = await openChannel(model);
  try {
    for (const consumer of consumers) {
      const queues = topology.consumerQueues(consumer);
      try {
        const [work, retry, deadLetter] = [
          await channel.checkQueue(queues.work),
          await channel.checkQueue(queues.retry),
          await channel.checkQueue(queues.deadLetter),
        ];
        depths.push({ consumer, waiting: work.messageCount, retrying: retry.messageCount, deadLettered: deadLetter.messageCount });
      } catch {
        // A queue deleted under us closes the channel (404): this consumer is left out, the others still count.
        await channel.close().catch(() => undefined);
        channel = await openChannel(model);
      }
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
  return depths;
}

async function openChannel(model: ChannelModel): Promise<Channel> {
  const channel = await model.createChannel();
  // A passive declare of a missing queue is a channel error: answered by the catch above, not a crash.
  channel.on('error', () => undefined);
  return channel;
}
