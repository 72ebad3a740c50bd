import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../logging/logger';
import { scrapedGauge, ScrapedReading } from '../../metrics/scraped-gauges';
import type { ConsumerQueueDepth, QueueDepthSource } from '../queue-depths';

export interface ConsumerQueueMetricsOptions {
  readonly logger: Logger;
  /** The transport, when it can report its queues' depths. */
  readonly depths?: QueueDepthSource;
  /** Milliseconds since the epoch: the clock messages are created by. */
  readonly now: () => number;
}

/**
 * Per consumer: what waits in its queue (asked of the transport at scrape time) and what this
 * process is handling now (counted as handlers start and finish).
 */
export class ConsumerQueueMetrics {
  /** Per consumer, the creation times (ms) of the messages whose handler runs now. */
  private readonly inFlight = new Map<string, Map<symbol, number>>();
  private readonly now: () => number;

  constructor(registry: Registry, options: ConsumerQueueMetricsOptions) {
    const { now } = options;
    this.now = now;
    const inFlight = this.inFlight;
    new Gauge({
      name: 'refinery_consumer_in_flight_messages',
      help: 'Messages whose handler is running in this process now, per consumer',
      labelNames: ['consumer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [consumer, running] of inFlight) this.set({ consumer }, running.size);
      },
    });
    new Gauge({
      name: 'refinery_consumer_oldest_in_flight_message_age_seconds',
      help: 'Seconds since the oldest message a handler of this process is working on was created, per consumer (left out when none runs)',
      labelNames: ['consumer'],
      registers: [registry],
      collect() {
        this.reset();
        const at = now();
        for (const [consumer, running] of inFlight) {
          if (running.size > 0) this.set({ consumer }, Math.max(0, (at - Math.min(...running.values())) / 1000));
        }
      },
    });
    if (options.depths) this.registerDepths(registry, options.depths, options);
  }

  /** Shows `consumer` (with 0 in flight) from its subscription on, before its first message. */
  subscribed(consumer: string): void {
    if (!this.inFlight.has(consumer)) this.inFlight.set(consumer, new Map());
  }

  /** A handler of `consumer` starts on a message created at `createdAtMs`; call the result when it ends. */
  started(consumer: string, createdAtMs: number): () => void {
    const running = this.inFlight.get(consumer) ?? new Map<symbol, number>();
    this.inFlight.set(consumer, running);
    const token = Symbol(consumer);
    running.set(token, Number.isNaN(createdAtMs) ? this.now() : createdAtMs);
    return () => void running.delete(token);
  }

  private registerDepths(registry: Registry, source: QueueDepthSource, options: ConsumerQueueMetricsOptions): void {
    const reading = new ScrapedReading({ source: 'message-queue', read: () => source.queueDepths(), logger: options.logger });
    const gauge = (name: string, help: string, value: (depth: ConsumerQueueDepth) => number | undefined) =>
      scrapedGauge(registry, {
        name,
        help,
        labelNames: ['consumer'],
        reading,
        samples: (depths) =>
          depths.flatMap((depth) => {
            const v = value(depth);
            return v === undefined ? [] : [[{ consumer: depth.consumer }, v] as const];
          }),
      });
    gauge(
      'refinery_consumer_queue_depth',
      "Messages waiting in each consumer's queue, not yet delivered to a handler (RabbitMQ: the queue's ready messages)",
      (d) => d.waiting,
    );
    gauge(
      'refinery_consumer_retry_queue_depth',
      'Failed deliveries waiting out their backoff before they are delivered again, per consumer',
      (d) => d.retrying,
    );
    gauge('refinery_consumer_dead_letter_queue_depth', "Messages in each consumer's dead-letter queue", (d) => d.deadLettered);
    gauge(
      'refinery_consumer_oldest_waiting_message_age_seconds',
      "Seconds since the oldest message waiting in each consumer's queue was created, 0 when none waits (in-memory transport only: AMQP cannot see it)",
      (d) => {
        if (d.oldestWaitingSince === undefined) return undefined;
        if (d.oldestWaitingSince === null) return 0;
        return Math.max(0, (options.now() - d.oldestWaitingSince.getTime()) / 1000);
      },
    );
  }
}
