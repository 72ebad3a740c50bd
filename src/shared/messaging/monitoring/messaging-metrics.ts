import { Counter, Histogram, type Registry } from 'prom-client';

type Counts = Record<string, number>;
type CountsByConsumer = Record<string, Counts>;

/** Plain numbers for tests and health pages; the Prometheus registry carries the same counts. */
export interface MessagingStats {
  /** By message type. */
  readonly published: Counts;
  readonly publishFailed: Counts;
  /** By consumer, then message type. */
  readonly handled: CountsByConsumer;
  /** Handler invocations that threw (each failed attempt counts). */
  readonly failed: CountsByConsumer;
  readonly retried: CountsByConsumer;
  readonly deadLettered: CountsByConsumer;
}

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** From a message's creation to its handling: outbox, broker, retries and a person's wait included. */
const CRITICAL_TIME_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

function bump(counts: Counts, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function bumpFor(counts: CountsByConsumer, consumer: string, type: string): void {
  bump((counts[consumer] ??= {}), type);
}

function copyNested(counts: CountsByConsumer): CountsByConsumer {
  return Object.fromEntries(Object.entries(counts).map(([consumer, byType]) => [consumer, { ...byType }]));
}

export class MessagingMetrics {
  private readonly publishedTotal: Counter<'type' | 'kind'>;
  private readonly publishFailuresTotal: Counter<'type' | 'kind'>;
  private readonly publishDuration: Histogram<'type' | 'kind'>;
  private readonly handledTotal: Counter<'consumer' | 'type'>;
  private readonly handlerFailuresTotal: Counter<'consumer' | 'type'>;
  private readonly handleDuration: Histogram<'consumer' | 'type' | 'outcome'>;
  private readonly criticalTime: Histogram<'consumer' | 'type'>;
  private readonly retriesTotal: Counter<'consumer' | 'type'>;
  private readonly deadLetteredTotal: Counter<'consumer' | 'type' | 'error_class'>;
  private readonly counts = {
    published: {} as Counts,
    publishFailed: {} as Counts,
    handled: {} as CountsByConsumer,
    failed: {} as CountsByConsumer,
    retried: {} as CountsByConsumer,
    deadLettered: {} as CountsByConsumer,
  };

  constructor(registry: Registry) {
    const registers = [registry];
    this.publishedTotal = new Counter({
      name: 'refinery_messages_published_total',
      help: 'Messages the transport accepted',
      labelNames: ['type', 'kind'],
      registers,
    });
    this.publishFailuresTotal = new Counter({
      name: 'refinery_message_publish_failures_total',
      help: 'Publishes the transport refused or could not confirm',
      labelNames: ['type', 'kind'],
      registers,
    });
    this.publishDuration = new Histogram({
      name: 'refinery_message_publish_duration_seconds',
      help: 'Time to publish (until confirmed)',
      labelNames: ['type', 'kind'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.handledTotal = new Counter({
      name: 'refinery_messages_handled_total',
      help: 'Messages a consumer handled successfully',
      labelNames: ['consumer', 'type'],
      registers,
    });
    this.handlerFailuresTotal = new Counter({
      name: 'refinery_message_handler_failures_total',
      help: 'Handler attempts that threw',
      labelNames: ['consumer', 'type'],
      registers,
    });
    this.handleDuration = new Histogram({
      name: 'refinery_message_handle_duration_seconds',
      help: 'Time a handler took',
      labelNames: ['consumer', 'type', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.criticalTime = new Histogram({
      name: 'refinery_message_critical_time_seconds',
      help: 'From when a message was created (its occurredAt) until a consumer handled it successfully',
      labelNames: ['consumer', 'type'],
      buckets: CRITICAL_TIME_BUCKETS,
      registers,
    });
    this.retriesTotal = new Counter({
      name: 'refinery_message_retries_total',
      help: 'Redeliveries the transport scheduled after a failure',
      labelNames: ['consumer', 'type'],
      registers,
    });
    this.deadLetteredTotal = new Counter({
      name: 'refinery_messages_dead_lettered_total',
      help: 'Messages moved to a dead-letter queue',
      labelNames: ['consumer', 'type', 'error_class'],
      registers,
    });
  }

  published(type: string, kind: string, seconds: number): void {
    this.publishedTotal.inc({ type, kind });
    this.publishDuration.observe({ type, kind }, seconds);
    bump(this.counts.published, type);
  }

  publishFailed(type: string, kind: string, seconds: number): void {
    this.publishFailuresTotal.inc({ type, kind });
    this.publishDuration.observe({ type, kind }, seconds);
    bump(this.counts.publishFailed, type);
  }

  handled(consumer: string, type: string, seconds: number): void {
    this.handledTotal.inc({ consumer, type });
    this.handleDuration.observe({ consumer, type, outcome: 'success' }, seconds);
    bumpFor(this.counts.handled, consumer, type);
  }

  /** Seconds from the message's creation to its successful handling (never negative: clocks of two hosts may disagree). */
  handledAfterCreation(consumer: string, type: string, seconds: number): void {
    this.criticalTime.observe({ consumer, type }, Math.max(0, seconds));
  }

  handlerFailed(consumer: string, type: string, seconds: number): void {
    this.handlerFailuresTotal.inc({ consumer, type });
    this.handleDuration.observe({ consumer, type, outcome: 'failure' }, seconds);
    bumpFor(this.counts.failed, consumer, type);
  }

  retried(consumer: string, type: string): void {
    this.retriesTotal.inc({ consumer, type });
    bumpFor(this.counts.retried, consumer, type);
  }

  deadLettered(consumer: string, type: string, errorClass: string): void {
    this.deadLetteredTotal.inc({ consumer, type, error_class: errorClass });
    bumpFor(this.counts.deadLettered, consumer, type);
  }

  stats(): MessagingStats {
    const c = this.counts;
    return {
      published: { ...c.published },
      publishFailed: { ...c.publishFailed },
      handled: copyNested(c.handled),
      failed: copyNested(c.failed),
      retried: copyNested(c.retried),
      deadLettered: copyNested(c.deadLettered),
    };
  }
}
