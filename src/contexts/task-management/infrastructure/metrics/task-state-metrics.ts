import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Clock } from '../../../../shared/kernel/clock';
import type { Logger } from '../../../../shared/logging/logger';
import { scrapedGauge, ScrapedReading } from '../../../../shared/metrics/scraped-gauges';
import { execute } from '../../../../shared/persistence/sql';
import { TASK_STATUSES, TERMINAL_STATUSES, type TaskStatus, taskStatusSchema } from '../../contracts';

export interface TaskStateCount {
  readonly state: TaskStatus;
  readonly tasks: number;
  /** When the task longest in this state entered it (every move changes the status, so its `updated_at`). */
  readonly oldestSince: Date;
}

const row = z.object({ status: taskStatusSchema, tasks: z.coerce.number().int(), oldest_since: z.coerce.date() });

/**
 * One statement: count and oldest entry per status, an index-only scan of `tasks_status_updated`
 * (migration 1732400001100).
 */
export async function readTaskStates(dataSource: DataSource): Promise<TaskStateCount[]> {
  const { rows } = await execute(
    dataSource.manager,
    `SELECT status, count(*) AS tasks, min(updated_at) AS oldest_since FROM task_management.tasks GROUP BY status`,
  );
  return rows.map((r) => {
    const parsed = row.parse(r);
    return { state: parsed.status, tasks: parsed.tasks, oldestSince: parsed.oldest_since };
  });
}

/**
 * Task Management's figures on /metrics, read from its own table at scrape time:
 * `refinery_tasks{state}` (every state, 0 included) and `refinery_task_oldest_in_state_seconds{state}`
 * (open states that hold a task). Every process running the context reports the same figures.
 */
export function registerTaskStateMetrics(registry: Registry, dataSource: DataSource, clock: Clock, logger: Logger): void {
  const reading = new ScrapedReading({ source: 'task-management.tasks', read: () => readTaskStates(dataSource), logger });
  scrapedGauge(registry, {
    name: 'refinery_tasks',
    help: 'Tasks in each state, as Task Management stores them',
    labelNames: ['state'],
    reading,
    samples: (counts) => TASK_STATUSES.map((state) => [{ state }, counts.find((c) => c.state === state)?.tasks ?? 0] as const),
  });
  scrapedGauge(registry, {
    name: 'refinery_task_oldest_in_state_seconds',
    help: 'Seconds the task longest in each open state has been in it (states with no task are left out)',
    labelNames: ['state'],
    reading,
    samples: (counts) => {
      const now = clock.now().getTime();
      return counts
        .filter((c) => !TERMINAL_STATUSES.includes(c.state))
        .map((c) => [{ state: c.state }, Math.max(0, (now - c.oldestSince.getTime()) / 1000)] as const);
    },
  });
}
