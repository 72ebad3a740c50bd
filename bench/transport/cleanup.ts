import { connect } from 'amqplib';
import type { DeclaredTopology } from '../../src/shared/messaging/rabbitmq/rabbitmq-topology';

/** Deletes what a run declared, on a connection of its own (the run's may be the one that failed). */
export async function deleteTopology(url: string, topology: DeclaredTopology): Promise<{ queues: number; exchanges: number }> {
  const model = await connect(url);
  model.on('error', () => undefined);
  try {
    const channel = await model.createChannel();
    // Deleting what is already gone is fine in AMQP 0-9-1, so a partial earlier cleanup does no harm.
    for (const queue of topology.queues) await channel.deleteQueue(queue);
    for (const exchange of topology.exchanges) await channel.deleteExchange(exchange);
    await channel.close();
    return { queues: topology.queues.length, exchanges: topology.exchanges.length };
  } finally {
    await model.close().catch(() => undefined);
  }
}
