import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { BackgroundLoop, type Loop } from '../kernel/background-loop';
import { describeError } from '../kernel/errors';
import type { Logger } from '../logging/logger';
import { execute } from '../persistence/sql';
import type { WorkLoad } from './work-counter';
import type { WorkerInstance } from './worker-instance';
import type { WorkerMetrics } from './worker-metrics';
import { toWorkerRecord, WORKER_STATUSES, type WorkerRecord } from './worker-record';

const TABLE = 'operations.workers';
/** A gone instance's row stays this long (operators see what died), then the sweep deletes it. */
export const GONE_RETENTION_MS = 24 * 3_600_000;
/** A sweep kicked for another instance's lease end runs this long after it, so the lease has surely passed. */
const EXPIRY_MARGIN_MS = 20;

/**
 * Releases what a gone instance held in one context: the context's own SQL on its own tables,
 * keyed on the lease owner (the instance id). Idempotent: a second call finds nothing to release.
 */
export interface LeaseReleaser {
  readonly context: string;
  /** Makes the instance's leased items claimable now; returns how many. */
  releaseLeasesOf(instanceId: string): Promise<number>;
}

export interface WorkerRegistryOptions {
  readonly contexts: readonly string[];
  /** How often this process heartbeats, and the longest a sweep waits. */
  readonly heartbeatMs: number;
  /** A heartbeat older than this marks the instance gone (every instance carries its own lease). */
  readonly leaseMs: number;
}

export interface WorkerRegistryDeps {
  readonly dataSource: DataSource;
  readonly logger: Logger;
  readonly instance: WorkerInstance;
  readonly load: () => WorkLoad;
  /** One per context this process runs that holds leases. */
  readonly releasers: readonly LeaseReleaser[];
  readonly metrics?: WorkerMetrics;
}

const SELECT_WORKERS = `SELECT id, contexts, host, pid, version, status, started_at, last_heartbeat_at, lease_ms, in_flight, handled, gone_at, released_contexts,
  extract(epoch FROM now() - last_heartbeat_at) * 1000 AS heartbeat_age_ms FROM ${TABLE}`;

/** Every registered instance: live first, then draining, then gone; oldest first within each. */
export async function listWorkers(dataSource: DataSource): Promise<WorkerRecord[]> {
  const { rows } = await execute(dataSource.manager, `${SELECT_WORKERS} ORDER BY array_position($1::text[], status), started_at, id`, [[...WORKER_STATUSES]]);
  return rows.map(toWorkerRecord);
}

const goneRow = z.object({ id: z.string(), contexts: z.array(z.string()), last_heartbeat_at: z.coerce.date() });
const countRow = z.object({ context: z.string(), status: z.enum(WORKER_STATUSES), n: z.coerce.number().int() });
const expiryRow = z.object({ ms: z.coerce.number().nullable() });

/**
 * This process in the worker registry (`operations.workers`). `register` adds it as live; each
 * heartbeat (every `heartbeatMs`) stamps `now()` (the database clock, never this process's), its
 * in-flight and handled counts, then sweeps: an instance whose last heartbeat is older than its
 * lease is marked gone, and for each context this process runs, the leases of gone instances of
 * that context are released at once through the context's `LeaseReleaser`. The loop also wakes
 * at the moment another instance's lease would end, so a dead one is marked gone within about
 * its lease of its last heartbeat rather than up to a heartbeat later. `markDraining` (SIGTERM)
 * keeps heartbeating; `deregister` (a clean exit) deletes the row.
 */
export class WorkerRegistry {
  readonly loop: Loop;
  private registered = false;
  private draining = false;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: WorkerRegistryOptions,
    private readonly deps: WorkerRegistryDeps,
  ) {
    if (!(options.leaseMs > options.heartbeatMs)) throw new Error('the worker lease must be longer than the heartbeat interval');
    this.loop = new BackgroundLoop({ name: 'worker heartbeat', intervalMs: options.heartbeatMs, sleepFirst: true, pass: () => this.pass() }, deps.logger);
  }

  get id(): string {
    return this.deps.instance.id;
  }

  /** Adds this process as live and starts heartbeating. */
  async start(): Promise<void> {
    await this.upsert();
    this.registered = true;
    this.loop.start();
    this.deps.logger.info({ instance: this.id, contexts: this.options.contexts }, 'worker registered');
  }

  /** SIGTERM: still heartbeating, finishing what it holds, taking nothing new. Best effort. */
  async markDraining(): Promise<void> {
    this.draining = true;
    if (!this.registered) return;
    try {
      const load = this.deps.load();
      await execute(
        this.deps.dataSource.manager,
        `UPDATE ${TABLE} SET status = 'draining', last_heartbeat_at = now(), in_flight = $2, handled = $3 WHERE id = $1 AND status = 'live'`,
        [this.id, load.inFlight, load.handled],
      );
    } catch (error) {
      this.deps.logger.warn({ instance: this.id, err: describeError(error).errorMessage }, 'could not mark this worker draining');
    }
  }

  /** A clean exit: stops heartbeating and deletes the row. Best effort (a row left behind goes gone). */
  async deregister(): Promise<void> {
    this.clearExpiryTimer();
    await this.loop.stop();
    if (!this.registered) return;
    this.registered = false;
    try {
      await execute(this.deps.dataSource.manager, `DELETE FROM ${TABLE} WHERE id = $1`, [this.id]);
    } catch (error) {
      this.deps.logger.warn({ instance: this.id, err: describeError(error).errorMessage }, 'could not deregister this worker; it will be marked gone');
    }
  }

  /** One heartbeat and sweep (the loop's pass; tests call it directly). */
  async beat(): Promise<void> {
    await this.heartbeat();
    await this.markExpired();
    await this.releaseGone();
    await execute(this.deps.dataSource.manager, `DELETE FROM ${TABLE} WHERE status = 'gone' AND gone_at < now() - $1 * interval '1 millisecond'`, [
      GONE_RETENTION_MS,
    ]);
    await this.report();
    await this.scheduleNextExpiry();
  }

  private async pass(): Promise<'idle'> {
    await this.beat();
    return 'idle';
  }

  private async upsert(): Promise<void> {
    const { instance } = this.deps;
    const load = this.deps.load();
    // ON CONFLICT: an instance marked gone (a long pause) that heartbeats again rejoins; what
    // it held was released meanwhile, so its late results fail their lease checks.
    await execute(
      this.deps.dataSource.manager,
      `INSERT INTO ${TABLE} (id, contexts, host, pid, version, started_at, last_heartbeat_at, lease_ms, status, in_flight, handled)
       VALUES ($1, $2::text[], $3, $4, $5, now(), now(), $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, last_heartbeat_at = now(), gone_at = NULL, released_contexts = '{}',
         in_flight = EXCLUDED.in_flight, handled = EXCLUDED.handled`,
      [
        instance.id,
        [...this.options.contexts],
        instance.host,
        instance.pid,
        instance.version,
        this.options.leaseMs,
        this.draining ? 'draining' : 'live',
        load.inFlight,
        load.handled,
      ],
    );
  }

  private async heartbeat(): Promise<void> {
    const load = this.deps.load();
    const { rows } = await execute(
      this.deps.dataSource.manager,
      `UPDATE ${TABLE} SET last_heartbeat_at = now(), in_flight = $2, handled = $3 WHERE id = $1 AND status <> 'gone' RETURNING id`,
      [this.id, load.inFlight, load.handled],
    );
    if (rows.length === 1) return;
    this.deps.logger.warn({ instance: this.id }, 'this worker was marked gone (it missed its lease) or its row was deleted; registering again');
    await this.upsert();
  }

  private async markExpired(): Promise<void> {
    const { rows } = await execute(
      this.deps.dataSource.manager,
      `UPDATE ${TABLE} SET status = 'gone', gone_at = now()
       WHERE status IN ('live', 'draining') AND id <> $1 AND last_heartbeat_at + lease_ms * interval '1 millisecond' < now()
       RETURNING id, contexts, last_heartbeat_at`,
      [this.id],
    );
    for (const row of rows.map((r) => goneRow.parse(r))) {
      this.deps.logger.warn(
        { instance: row.id, contexts: row.contexts, lastHeartbeatAt: row.last_heartbeat_at.toISOString() },
        `worker ${row.id} missed its lease: marked gone`,
      );
    }
  }

  /** For each context this process runs: the leases gone instances of that context still hold. */
  private async releaseGone(): Promise<void> {
    for (const releaser of this.deps.releasers) {
      const { rows } = await execute(
        this.deps.dataSource.manager,
        `SELECT id FROM ${TABLE} WHERE status = 'gone' AND $1 = ANY(contexts) AND NOT ($1 = ANY(released_contexts)) ORDER BY gone_at`,
        [releaser.context],
      );
      for (const { id } of rows.map((r) => z.object({ id: z.string() }).parse(r))) {
        // Release first, then record it: a failure in between only releases again (nothing left).
        const released = await releaser.releaseLeasesOf(id);
        await execute(
          this.deps.dataSource.manager,
          `UPDATE ${TABLE} SET released_contexts = array_append(released_contexts, $2) WHERE id = $1 AND status = 'gone' AND NOT ($2 = ANY(released_contexts))`,
          [id, releaser.context],
        );
        this.deps.logger.info({ instance: id, context: releaser.context, released }, `released the leases of gone worker ${id}`);
      }
    }
  }

  private async report(): Promise<void> {
    if (!this.deps.metrics) return;
    const { rows } = await execute(
      this.deps.dataSource.manager,
      `SELECT context, status, count(*) AS n FROM ${TABLE}, unnest(contexts) AS context GROUP BY context, status`,
    );
    this.deps.metrics.set(rows.map((r) => countRow.parse(r)));
  }

  /** Wakes the loop just after the next lease of another instance would end, if that is before the next heartbeat. */
  private async scheduleNextExpiry(): Promise<void> {
    const { rows } = await execute(
      this.deps.dataSource.manager,
      `SELECT extract(epoch FROM min(last_heartbeat_at + lease_ms * interval '1 millisecond') - now()) * 1000 AS ms
       FROM ${TABLE} WHERE status IN ('live', 'draining') AND id <> $1`,
      [this.id],
    );
    const ms = expiryRow.parse(rows[0] ?? { ms: null }).ms;
    this.clearExpiryTimer();
    if (ms === null || ms + EXPIRY_MARGIN_MS >= this.options.heartbeatMs || !this.loop.isRunning) return;
    this.expiryTimer = setTimeout(() => this.loop.kick(), Math.max(0, ms) + EXPIRY_MARGIN_MS);
    this.expiryTimer.unref();
  }

  private clearExpiryTimer(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}
