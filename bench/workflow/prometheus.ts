/** Sums of the messaging counters one process exposes on /metrics. */
export interface MessagingCounters {
  readonly published: number;
  readonly handled: number;
  readonly handlerFailures: number;
  readonly retries: number;
  readonly deadLettered: number;
  /** Summed handler time (seconds) and publish-until-confirmed time, for their means. */
  readonly handleSeconds: number;
  readonly publishSeconds: number;
  /** Handled deliveries by "consumer type": where each published message goes. */
  readonly handledBy: Record<string, number>;
  /** Failed handler attempts by consumer and type: where retries come from. */
  readonly failuresByConsumer: Record<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)$/;

function label(labels: string, name: string): string {
  return new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';
}

/** Reads the counters of MessagingMetrics from Prometheus text; histograms and others are skipped. */
export function parseMessagingCounters(text: string): MessagingCounters {
  const totals: Record<string, number> = {};
  const handledBy: Record<string, number> = {};
  const failuresByConsumer: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line.trim());
    if (!match?.[1] || !match[3]) continue;
    const [, name, labels = '', raw] = match;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    totals[name] = (totals[name] ?? 0) + value;
    if (name === 'refinery_messages_handled_total') {
      const key = `${label(labels, 'consumer')} ${label(labels, 'type')}`;
      handledBy[key] = (handledBy[key] ?? 0) + value;
    }
    if (name === 'refinery_message_handler_failures_total') {
      const key = `${label(labels, 'consumer')} ${label(labels, 'type')}`;
      failuresByConsumer[key] = (failuresByConsumer[key] ?? 0) + value;
    }
  }
  return {
    published: totals['refinery_messages_published_total'] ?? 0,
    handled: totals['refinery_messages_handled_total'] ?? 0,
    handlerFailures: totals['refinery_message_handler_failures_total'] ?? 0,
    retries: totals['refinery_message_retries_total'] ?? 0,
    deadLettered: totals['refinery_messages_dead_lettered_total'] ?? 0,
    handleSeconds: totals['refinery_message_handle_duration_seconds_sum'] ?? 0,
    publishSeconds: totals['refinery_message_publish_duration_seconds_sum'] ?? 0,
    handledBy,
    failuresByConsumer,
  };
}

export function sumCounters(all: readonly MessagingCounters[]): MessagingCounters {
  const merge = (pick: (c: MessagingCounters) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const c of all) for (const [k, v] of Object.entries(pick(c))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const sum = (pick: (c: MessagingCounters) => number) => all.reduce((acc, c) => acc + pick(c), 0);
  return {
    published: sum((c) => c.published),
    handled: sum((c) => c.handled),
    handlerFailures: sum((c) => c.handlerFailures),
    retries: sum((c) => c.retries),
    deadLettered: sum((c) => c.deadLettered),
    handleSeconds: sum((c) => c.handleSeconds),
    publishSeconds: sum((c) => c.publishSeconds),
    handledBy: merge((c) => c.handledBy),
    failuresByConsumer: merge((c) => c.failuresByConsumer),
  };
}
