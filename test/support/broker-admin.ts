import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { type ChannelModel, connect } from 'amqplib';
import type { DeclaredTopology } from '../../src/shared/messaging/rabbitmq/rabbitmq-topology';

export const RABBITMQ_URL = process.env['TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

const run = promisify(execFile);

/** rabbitmqctl, when this machine has it (it needs root or the broker's cookie). */
export const rabbitmqctl = ['/usr/sbin/rabbitmqctl', '/usr/local/sbin/rabbitmqctl', '/usr/lib/rabbitmq/bin/rabbitmqctl'].find((path) => existsSync(path));

/** A plain amqplib connection for looking at and tidying the broker from the outside. */
export class BrokerAdmin {
  private constructor(private readonly model: ChannelModel) {
    model.on('error', () => undefined);
  }

  static async open(): Promise<BrokerAdmin> {
    return new BrokerAdmin(await connect(RABBITMQ_URL));
  }

  /** Consumers on `queue`, or undefined when it does not exist. */
  async consumerCount(queue: string): Promise<number | undefined> {
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(queue)).consumerCount;
    } catch {
      return undefined;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** The headers of the first message waiting in `queue`, which stays there. */
  async peekHeaders(queue: string): Promise<Record<string, unknown> | undefined> {
    const channel = await this.model.createChannel();
    try {
      const message = await channel.get(queue, { noAck: false });
      return message === false ? undefined : { ...(message.properties.headers as Record<string, unknown>) };
    } finally {
      await channel.close();
    }
  }

  async deleteQueue(queue: string): Promise<void> {
    const channel = await this.model.createChannel();
    await channel.deleteQueue(queue);
    await channel.close();
  }

  async deleteTopology(topology: DeclaredTopology): Promise<void> {
    const channel = await this.model.createChannel();
    for (const queue of topology.queues) await channel.deleteQueue(queue);
    for (const exchange of topology.exchanges) await channel.deleteExchange(exchange);
    await channel.close();
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}

/** Has the broker force-close the connection that calls itself `connectionName` (as a restart would). */
export async function forceCloseConnection(connectionName: string): Promise<void> {
  if (!rabbitmqctl) throw new Error('rabbitmqctl is not available');
  const { stdout } = await run(rabbitmqctl, ['list_connections', '-q', '--no-table-headers', 'pid', 'client_properties'], { timeout: 15_000 });
  const line = stdout.split('\n').find((l) => l.includes(`{"connection_name","${connectionName}"}`));
  const pid = line?.split('\t')[0];
  if (!pid) throw new Error(`no broker connection named ${connectionName}`);
  await run(rabbitmqctl, ['close_connection', pid, 'forced by test'], { timeout: 15_000 });
}
