import type { Logger } from '../shared/logging/logger';
import type { ContractRegistry } from '../shared/messaging/contract-registry';
import { type FaultOptions } from '../shared/messaging/in-memory/fault-injector';
import { InMemoryMessageQueue } from '../shared/messaging/in-memory/in-memory-message-queue';
import type { RetryPolicy } from '../shared/kernel/retry';
import type { MessageQueue } from '../shared/messaging/message-queue';
import { RabbitMqMessageQueue } from '../shared/messaging/rabbitmq/rabbitmq-message-queue';
import type { Config } from './config';
import { rabbitMqReconnectOptionsFrom } from './options';

export interface TransportOptions {
  readonly registry: ContractRegistry;
  readonly retryPolicy: RetryPolicy;
  readonly logger: Logger;
  /** In-memory only: seeded faults, for tests that prove convergence. */
  readonly faults?: FaultOptions;
  readonly random?: () => number;
}

/** The transport the config asks for, before the monitoring decorator wraps it. */
export async function createTransport(config: Config, options: TransportOptions): Promise<MessageQueue> {
  if (config.RABBITMQ_URL) {
    const queue = new RabbitMqMessageQueue({
      url: config.RABBITMQ_URL,
      registry: options.registry,
      retryPolicy: options.retryPolicy,
      logger: options.logger,
      prefetch: config.RABBITMQ_PREFETCH,
      queueType: config.RABBITMQ_QUEUE_TYPE,
      exchangePrefix: config.RABBITMQ_PREFIX,
      publishTimeoutMs: config.RABBITMQ_PUBLISH_TIMEOUT_MS,
      connectionName: `refinery:${config.CONTEXTS.join('+')}:${process.pid}`,
      reconnect: rabbitMqReconnectOptionsFrom(config),
      ...(options.random ? { random: options.random } : {}),
    });
    await queue.start();
    return queue;
  }
  return new InMemoryMessageQueue({
    registry: options.registry,
    retryPolicy: options.retryPolicy,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}
