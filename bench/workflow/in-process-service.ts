import { loadConfig } from '../../src/app/config';
import { Application } from '../../src/app/container';
import { createLogger } from '../../src/shared/logging/logger';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { peakRssBytes } from './proc-status';
import type { ServiceTarget } from './service-target';

/**
 * Single mode: the whole service in the bench's own process, built exactly as `npm start` builds
 * it (the config parsed from an environment, the database and broker it names, migrations on
 * start), listening on a free port so the bot goes through real HTTP as in split mode. Its memory
 * and CPU figures include the bot's.
 */
export async function startInProcessService(env: Readonly<Record<string, string>>): Promise<ServiceTarget> {
  const config = loadConfig({ ...env, HOST: '127.0.0.1', PORT: '0' });
  const logger = createLogger(config.LOG_LEVEL, 'refinery-bench');
  const users = config.REFINERY_USERS;
  if (!users) throw new Error('the bench configures REFINERY_USERS');
  const app = await Application.create({ config, users, logger });
  await app.start();
  const url = await app.listen();
  const cpuAtStart = process.cpuUsage();
  const process_ = { name: 'all-contexts', pid: process.pid, url, contexts: config.CONTEXTS };

  return {
    processes: [process_],
    apiUrl: url,
    usage: async () => {
      const cpu = process.cpuUsage(cpuAtStart);
      return [
        { name: process_.name, pid: process.pid, peakRssBytes: peakRssBytes('self') ?? process.memoryUsage().rss, cpuSeconds: (cpu.user + cpu.system) / 1e6 },
      ];
    },
    stop: async () => {
      const topology = app.transport instanceof RabbitMqMessageQueue ? app.transport.declaredTopology() : { queues: [], exchanges: [] };
      const started = Date.now();
      await app.stop();
      return { outcomes: [{ name: process_.name, pid: process.pid, exit: 'in-process', stopMs: Date.now() - started }], topology };
    },
  };
}
