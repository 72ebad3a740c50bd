import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { RabbitMqTopology } from '../../../src/shared/messaging/rabbitmq/rabbitmq-topology';
import { BrokerAdmin, RABBITMQ_URL, rabbitmqctl } from '../../support/broker-admin';

export { BrokerAdmin, RABBITMQ_URL, rabbitmqctl };

const run = promisify(execFile);

/** The work, retry and dead-letter queues of `consumer`, named as the transport names them. */
export function consumerQueueNames(prefix: string, consumer: string): string[] {
  const { work, retry, deadLetter } = new RabbitMqTopology(prefix, 'quorum').consumerQueues(consumer);
  return [work, retry, deadLetter];
}

/** Messages ready in `queue` (unacknowledged ones not included), or undefined if it does not exist. */
export async function readyMessages(queue: string): Promise<number | undefined> {
  const model = await connect(RABBITMQ_URL);
  model.on('error', () => undefined);
  try {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    return (await channel.checkQueue(queue)).messageCount;
  } catch {
    return undefined;
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** Runs rabbitmqctl (root or the broker's cookie needed); rejects after `timeoutMs`. */
export async function ctl(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  if (!rabbitmqctl) throw new Error('rabbitmqctl is not available on this machine');
  const { stdout } = await run(rabbitmqctl, [...args], { timeout: timeoutMs });
  return stdout;
}

/** Brings the broker's application back if it was stopped, and waits until it serves again. */
export async function ensureBrokerRunning(): Promise<void> {
  await ctl(['start_app']);
  await ctl(['await_startup', '--timeout', '60']);
}
