import { z } from 'zod';

/** live: heartbeating; draining: SIGTERM received, finishing what it holds; gone: missed its lease. */
export const WORKER_STATUSES = ['live', 'draining', 'gone'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** One registered process as an operator sees it. Instants come from the database clock. */
export interface WorkerRecord {
  readonly id: string;
  readonly contexts: readonly string[];
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  readonly status: WorkerStatus;
  readonly startedAt: Date;
  readonly lastHeartbeatAt: Date;
  /** How old the last heartbeat is, by the database clock, when the row was read. */
  readonly heartbeatAgeMs: number;
  /** After this long without a heartbeat the instance is marked gone. */
  readonly leaseMs: number;
  readonly inFlight: number;
  readonly handled: number;
  readonly goneAt: Date | null;
  /** Contexts whose leases of this (gone) instance have been released. */
  readonly releasedContexts: readonly string[];
}

export const workerRow = z.object({
  id: z.string(),
  contexts: z.array(z.string()),
  host: z.string(),
  pid: z.number().int(),
  version: z.string(),
  status: z.enum(WORKER_STATUSES),
  started_at: z.coerce.date(),
  last_heartbeat_at: z.coerce.date(),
  heartbeat_age_ms: z.coerce.number(),
  lease_ms: z.number().int(),
  in_flight: z.number().int(),
  handled: z.coerce.number().int(),
  gone_at: z.coerce.date().nullable(),
  released_contexts: z.array(z.string()),
});

export function toWorkerRecord(raw: unknown): WorkerRecord {
  const row = workerRow.parse(raw);
  return {
    id: row.id,
    contexts: row.contexts,
    host: row.host,
    pid: row.pid,
    version: row.version,
    status: row.status,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    heartbeatAgeMs: Math.max(0, Math.round(row.heartbeat_age_ms)),
    leaseMs: row.lease_ms,
    inFlight: row.in_flight,
    handled: row.handled,
    goneAt: row.gone_at,
    releasedContexts: row.released_contexts,
  };
}
