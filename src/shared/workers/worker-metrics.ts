import { Gauge, type Registry } from 'prom-client';
import { WORKER_STATUSES, type WorkerStatus } from './worker-record';

/**
 * `refinery_workers{context,status}`: registered instances per context and status, as the last
 * sweep of this process read them. Every process reports the whole registry (it reads the shared
 * table), so aggregate across processes with max, not sum.
 */
export class WorkerMetrics {
  private readonly workers: Gauge<'context' | 'status'>;

  constructor(registry: Registry) {
    this.workers = new Gauge({
      name: 'refinery_workers',
      help: 'Registered worker instances per context and status (live, draining, gone), from the shared registry',
      labelNames: ['context', 'status'],
      registers: [registry],
    });
  }

  /** Replaces every figure: a context no instance runs any more drops out. */
  set(counts: ReadonlyArray<{ readonly context: string; readonly status: WorkerStatus; readonly n: number }>): void {
    this.workers.reset();
    for (const context of new Set(counts.map((c) => c.context))) {
      for (const status of WORKER_STATUSES) this.workers.set({ context, status }, 0);
    }
    for (const { context, status, n } of counts) this.workers.set({ context, status }, n);
  }
}
