import { Counter, Histogram, type Registry } from 'prom-client';
import type { CallOutcome } from './llm-errors';

/** The agent's metrics, registered once per registry (a second agent on the same registry shares them). */
export class LlmMetrics {
  readonly calls: Counter<'outcome'>;
  readonly duration: Histogram<'outcome'>;
  readonly tokens: Counter<'direction'>;

  constructor(registry: Registry) {
    this.calls =
      existing(registry, 'refinery_agent_calls_total', Counter) ??
      new Counter({
        name: 'refinery_agent_calls_total',
        help: 'Calls of the product-manager agent to its LLM endpoint, by outcome (breaker_open: refused without a request)',
        labelNames: ['outcome'],
        registers: [registry],
      });
    this.duration =
      existing(registry, 'refinery_agent_call_duration_seconds', Histogram) ??
      new Histogram({
        name: 'refinery_agent_call_duration_seconds',
        help: 'Time of each HTTP call to the LLM endpoint, by outcome',
        labelNames: ['outcome'],
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
        registers: [registry],
      });
    this.tokens =
      existing(registry, 'refinery_agent_tokens_total', Counter) ??
      new Counter({
        name: 'refinery_agent_tokens_total',
        help: 'Tokens the LLM endpoint reported, by direction (in: prompt, out: completion)',
        labelNames: ['direction'],
        registers: [registry],
      });
  }

  call(outcome: CallOutcome, ms?: number): void {
    this.calls.inc({ outcome });
    if (ms !== undefined) this.duration.observe({ outcome }, ms / 1_000);
  }
}

function existing<M>(registry: Registry, name: string, kind: abstract new (...args: never[]) => M): M | undefined {
  const metric = registry.getSingleMetric(name);
  return metric instanceof kind ? metric : undefined;
}
