import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Clock } from '../../../../shared/kernel/clock';
import type { Logger } from '../../../../shared/logging/logger';
import { scrapedGauge, ScrapedReading } from '../../../../shared/metrics/scraped-gauges';
import { execute } from '../../../../shared/persistence/sql';
import { taskStatusSchema } from '../../../task-management/contracts';
import { type DrivingOptions, stallThreshold } from '../../domain/drive-decision';
import type { OpenTaskStatus } from '../../orchestration.options';

const OPEN_STATES: readonly OpenTaskStatus[] = ['NEW', 'REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'PRD_VALIDATION'];

const row = z.object({ status: taskStatusSchema, stalled: z.coerce.number().int() });

/**
 * Tasks the projection holds in an open state for longer than that state's stall threshold
 * (`stalledAfterMs`, the rule the scanner alerts by), per state. One statement; the open-state
 * filter lets it use the `task_projection_sweep` partial index, so it reads open tasks only.
 */
export async function readStalledTasks(dataSource: DataSource, now: Date, options: DrivingOptions): Promise<Map<OpenTaskStatus, number>> {
  const cutoffs = OPEN_STATES.map((state) => new Date(now.getTime() - (stallThreshold(state, options) ?? 0)).toISOString());
  const { rows } = await execute(
    dataSource.manager,
    `SELECT p.status, count(*) AS stalled
     FROM orchestration.task_projection p
     JOIN unnest($1::text[], $2::timestamptz[]) AS t(status, cutoff) ON p.status = t.status AND p.status_since < t.cutoff
     WHERE p.status NOT IN ('APPROVED', 'CANCELLED', 'FAILED')
     GROUP BY p.status`,
    [OPEN_STATES, cutoffs],
  );
  const stalled = new Map<OpenTaskStatus, number>(OPEN_STATES.map((state) => [state, 0]));
  for (const r of rows) {
    const parsed = row.parse(r);
    stalled.set(parsed.status as OpenTaskStatus, parsed.stalled);
  }
  return stalled;
}

/**
 * `refinery_tasks_stalled{state}` from Orchestration's projection at scrape time. Every process
 * running the context reports the same figures.
 */
export function registerStalledTaskMetrics(registry: Registry, dataSource: DataSource, options: DrivingOptions, clock: Clock, logger: Logger): void {
  const reading = new ScrapedReading({ source: 'orchestration.task_projection', read: () => readStalledTasks(dataSource, clock.now(), options), logger });
  scrapedGauge(registry, {
    name: 'refinery_tasks_stalled',
    help: "Open tasks in their state longer than Orchestration's stall threshold for it (STALLED_AFTER_*), per state",
    labelNames: ['state'],
    reading,
    samples: (stalled) => [...stalled].map(([state, count]) => [{ state }, count] as const),
  });
}
