import { ContractRegistry, message } from '../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../src/shared/messaging/envelope';
import { MonitoredMessageQueue } from '../../src/shared/messaging/monitoring/monitored-message-queue';
import type { DeclaredTopology } from '../../src/shared/messaging/rabbitmq/rabbitmq-topology';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { silentLogger } from '../../src/shared/logging/logger';
import type { Target } from './drivers';
import { clock, paddingFor, Ping, sentAtOf } from './ping';
import type { Sink } from './sink';

export interface MonitoredQueueOptions {
  readonly url: string;
  readonly exchangePrefix: string;
  readonly prefetch: number;
  readonly messageBytes: number;
}

const CONSUMER = 'bench.sink';

/**
 * What the service really runs: MonitoredMessageQueue over RabbitMqMessageQueue (classic queues,
 * so the baseline compares like with like), publishing Ping events (validated, confirmed) to one
 * subscribed consumer whose handler only records the latency.
 */
export class MonitoredQueueTarget implements Target {
  private readonly pad: string;

  private constructor(
    private readonly inner: RabbitMqMessageQueue,
    private readonly queue: MonitoredMessageQueue,
    options: MonitoredQueueOptions,
  ) {
    // The whole envelope, as serialised on the wire, is as big as the raw run's message body.
    this.pad = paddingFor(options.messageBytes, (pad) => this.envelope(0, pad));
  }

  static async open(options: MonitoredQueueOptions, sink: Sink): Promise<MonitoredQueueTarget> {
    const registry = new ContractRegistry().register(Ping);
    // Silent: at the service's default level (info) the per-message lines are debug and skipped just the same.
    const inner = new RabbitMqMessageQueue({
      url: options.url,
      registry,
      prefetch: options.prefetch,
      queueType: 'classic',
      exchangePrefix: options.exchangePrefix,
      logger: silentLogger(),
      connectionName: `bench-monitored-${process.pid}`,
    });
    const queue = new MonitoredMessageQueue(inner, { logger: silentLogger() });
    const target = new MonitoredQueueTarget(inner, queue, options);
    await queue.subscribeToEvents({ consumer: CONSUMER, types: [Ping.type], handler: async (m) => sink.handled(sentAtOf(m.payload)) });
    return target;
  }

  get bodyBytes(): number {
    return Buffer.byteLength(JSON.stringify(this.envelope(0, this.pad)));
  }

  /** The messages the monitor counted as published and handled (a check that nothing bypassed it). */
  stats(): { published: number; handled: number } {
    const stats = this.queue.stats();
    return { published: stats.published[Ping.type] ?? 0, handled: stats.handled[CONSUMER]?.[Ping.type] ?? 0 };
  }

  send(seq: number): Promise<void> {
    return this.queue.publishEvent(this.envelope(seq, this.pad));
  }

  topology(): DeclaredTopology {
    return this.inner.declaredTopology();
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  private envelope(seq: number, pad: string): Envelope {
    return createEnvelope(message(Ping, `key-${seq % 64}`, { seq, sentAt: clock(), pad }));
  }
}
