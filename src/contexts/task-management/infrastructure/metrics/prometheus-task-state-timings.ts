import { Histogram, type Registry } from 'prom-client';
import type { TaskStateTimings } from '../../application/task-state-timings';
import type { TaskStatus } from '../../domain/task-status';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** From an agent's seconds to a person's days. */
const BUCKETS = [1, 10, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 4 * HOUR, 12 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY];

/** `refinery_task_time_in_state_seconds{state}`: observed in the process that moved the task, once per move. */
export class PrometheusTaskStateTimings implements TaskStateTimings {
  private readonly histogram: Histogram<'state'>;

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'refinery_task_time_in_state_seconds',
      help: 'How long tasks stayed in a state, observed when they left it (state: the one left)',
      labelNames: ['state'],
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  left(state: TaskStatus, seconds: number): void {
    this.histogram.observe({ state }, Math.max(0, seconds));
  }
}
