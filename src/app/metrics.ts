import type { Container } from 'inversify';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { orchestrationOptions } from '../contexts/orchestration/orchestration.options';
import { registerStalledTaskMetrics } from '../contexts/orchestration/infrastructure/metrics/stalled-task-metrics';
import { PrometheusTaskStateTimings } from '../contexts/task-management/infrastructure/metrics/prometheus-task-state-timings';
import { registerTaskStateMetrics } from '../contexts/task-management/infrastructure/metrics/task-state-metrics';
import { TASK_MANAGEMENT } from '../contexts/task-management/task-management.tokens';
import type { Clock } from '../shared/kernel/clock';
import type { Logger } from '../shared/logging/logger';
import { registerOutboxMetrics } from '../shared/persistence/outbox/outbox-metrics';
import type { Config } from './config';
import { orchestrationOptionsFrom } from './options';

export interface MetricCollectorDeps {
  readonly registry: Registry;
  readonly dataSource: DataSource;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The figures read from the database at scrape time, on the registry /metrics serves: the
 * outbox's in every process, and each context's from its own tables, only in a process that runs
 * that context (its own code reads them).
 */
export function registerMetricCollectors(config: Config, deps: MetricCollectorDeps): void {
  const { registry, dataSource, clock, logger } = deps;
  registerOutboxMetrics(registry, dataSource, logger);
  if (config.CONTEXTS.includes('task-management')) registerTaskStateMetrics(registry, dataSource, clock, logger);
  if (config.CONTEXTS.includes('orchestration')) {
    registerStalledTaskMetrics(registry, dataSource, orchestrationOptions(orchestrationOptionsFrom(config)), clock, logger);
  }
}

/** The metrics a context records as things happen, bound before its module loads (which binds a no-op otherwise). */
export function bindMetricPorts(container: Container, config: Config, registry: Registry): void {
  if (config.CONTEXTS.includes('task-management')) container.bind(TASK_MANAGEMENT.StateTimings).toConstantValue(new PrometheusTaskStateTimings(registry));
}
