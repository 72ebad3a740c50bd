import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { connect } from 'amqplib';

const run = promisify(execFile);

/** rabbitmqctl, when this machine has it (it needs root or the broker's cookie). */
const RABBITMQCTL = ['/usr/sbin/rabbitmqctl', '/usr/local/sbin/rabbitmqctl', '/usr/lib/rabbitmq/bin/rabbitmqctl'].find((path) => existsSync(path));

export interface BrokerObjects {
  readonly queues: readonly string[];
  readonly exchanges: readonly string[];
}

/** Tries `work` a few times: a broker being restarted (by someone else's test) is back within seconds. */
async function patiently<T>(what: string, work: () => Promise<T>, attempts = 8, pauseMs = 5_000): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts)
        throw new Error(`${what} failed ${attempts} times; last: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

async function listWithRabbitmqctl(what: 'list_queues' | 'list_exchanges', prefix: string): Promise<string[]> {
  const command = RABBITMQCTL;
  if (!command) return [];
  const { stdout } = await patiently(`rabbitmqctl ${what}`, () => run(command, [what, '-q', '--no-table-headers', 'name'], { timeout: 60_000 }));
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.startsWith(`${prefix}.`));
}

/**
 * Deletes every queue and exchange named `<prefix>.…`: those the broker lists (every process's
 * declarations, split mode included) plus `known` (what an in-process transport says it declared,
 * which is all there is to go on without rabbitmqctl). Returns what it deleted.
 */
export async function deleteBrokerObjects(rabbitmqUrl: string, prefix: string, known: BrokerObjects = { queues: [], exchanges: [] }): Promise<BrokerObjects> {
  const queues = [...new Set([...(await listWithRabbitmqctl('list_queues', prefix)), ...known.queues])];
  const exchanges = [...new Set([...(await listWithRabbitmqctl('list_exchanges', prefix)), ...known.exchanges])];
  await patiently('deleting the bench topology', async () => {
    const model = await connect(rabbitmqUrl);
    model.on('error', () => undefined);
    try {
      const channel = await model.createChannel();
      // deleteQueue/deleteExchange are idempotent: a name declared by nobody is not an error.
      for (const queue of queues) await channel.deleteQueue(queue);
      for (const exchange of exchanges) await channel.deleteExchange(exchange);
      await channel.close();
    } finally {
      await model.close().catch(() => undefined);
    }
  });
  return { queues, exchanges };
}

/** What is left on the broker under `prefix` (empty when rabbitmqctl is not available). */
export async function remainingBrokerObjects(prefix: string): Promise<BrokerObjects> {
  return { queues: await listWithRabbitmqctl('list_queues', prefix), exchanges: await listWithRabbitmqctl('list_exchanges', prefix) };
}

export const canListBrokerObjects = (): boolean => RABBITMQCTL !== undefined;
