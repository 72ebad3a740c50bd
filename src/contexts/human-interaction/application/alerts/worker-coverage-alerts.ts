import { inject, injectable } from 'inversify';
import { BackgroundLoop, type Loop } from '../../../../shared/kernel/background-loop';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Logger } from '../../../../shared/logging/logger';
import type { Transaction, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import type { WorkerRecord } from '../../../../shared/workers/worker-record';
import { type Alert, durationText } from '../../domain/alert';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { AvailableChannels } from '../channel-preferences/channel-choice';
import { availableChannels } from '../channel-preferences/channel-preferences.service';
import type { OpsRepositoryFactory } from '../ops/ops.repository';
import type { HumanInteractionRepositories, HumanInteractionRepositoryFactory } from '../repositories';
import { alertRecipientsOf } from './alert-recipients';
import { alertId } from './task-alerts';
import { tellAlert } from './tell-alert';

/** Live: says so and heartbeats within its lease (by the database clock). A draining instance is leaving. */
function isLive(worker: WorkerRecord): boolean {
  return worker.status === 'live' && worker.heartbeatAgeMs <= worker.leaseMs;
}

/** What one check found for a context. */
export type Coverage =
  | { readonly context: string; readonly live: WorkerRecord }
  | { readonly context: string; readonly live: undefined; readonly last: WorkerRecord | undefined; readonly noneForMs: number };

/**
 * Alerts when no live process runs a context of the workflow (by the worker registry), and says
 * when one does again: every `noWorkerAlertAfterMs / 4` (at most 15 s) it reads the registry; a
 * context that has had no live instance for `noWorkerAlertAfterMs` raises one `no-live-worker`
 * episode (one at a time per context, whichever human-interaction process notices first), told to
 * the alert recipients like a stalled task; the first live instance resolves it and they are told
 * it is back.
 *
 * How long a context has had none: since its last instance's last heartbeat, when one is
 * registered (a killed or hung process stays listed, gone); otherwise (a clean exit removes its
 * row, or none ever started) since this process first saw the context without one, so a deploy
 * that stops one process and starts the next within the threshold tells nobody.
 */
@injectable()
export class WorkerCoverageAlerts {
  readonly loop: Loop;
  private readonly channels: AvailableChannels;
  private readonly recipients: readonly string[];
  private readonly afterMs: number;
  private readonly contexts: readonly string[];
  /** Per context without a live instance: when this process first saw it so. */
  private readonly uncoveredSince = new Map<string, Date>();

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.OpsRepositories) private readonly opsRepositories: OpsRepositoryFactory,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {
    this.channels = availableChannels(options);
    this.recipients = alertRecipientsOf(options);
    this.afterMs = options.noWorkerAlertAfterMs;
    this.contexts = options.workflowContexts;
    this.loop = new BackgroundLoop(
      {
        name: 'worker coverage check',
        intervalMs: Math.max(250, Math.min(15_000, Math.floor(this.afterMs / 4))),
        enabled: this.afterMs > 0,
        pass: async () => {
          await this.check();
          return 'idle';
        },
      },
      logger,
    );
  }

  /** One check of every context; returns the notifications it created. */
  async check(): Promise<number> {
    // Read before the transaction: the registry is read on the pool, not on the session (on
    // PGlite, with its one connection, a read inside the transaction would wait for it forever).
    const workers = await this.unitOfWork.read((session) => this.opsRepositories(session).workers.list());
    return this.unitOfWork.run(async (tx) => {
      const repositories = this.repositories(tx);
      let told = 0;
      for (const coverage of this.coverageOf(workers, tx.now)) {
        told += coverage.live ? await this.resolve(tx, repositories, coverage.context, coverage.live) : await this.raise(tx, repositories, coverage);
      }
      return told;
    });
  }

  private coverageOf(workers: readonly WorkerRecord[], now: Date): Coverage[] {
    return this.contexts.map((context) => {
      const instances = workers.filter((w) => w.contexts.includes(context));
      const live = instances.find(isLive);
      if (live) {
        this.uncoveredSince.delete(context);
        return { context, live };
      }
      const observed = this.uncoveredSince.get(context) ?? now;
      this.uncoveredSince.set(context, observed);
      // The most recently heard from: the smallest heartbeat age.
      const last = instances.reduce<WorkerRecord | undefined>(
        (best, w) => (best === undefined || w.heartbeatAgeMs < best.heartbeatAgeMs ? w : best),
        undefined,
      );
      return { context, live: undefined, last, noneForMs: last ? last.heartbeatAgeMs : now.getTime() - observed.getTime() };
    });
  }

  private async raise(tx: Transaction, repositories: HumanInteractionRepositories, coverage: Extract<Coverage, { live: undefined }>): Promise<number> {
    if (coverage.noneForMs < this.afterMs) return 0;
    const { context, last } = coverage;
    const lastSeenAt = last ? last.lastHeartbeatAt.toISOString() : null;
    const alert: Alert = {
      // The episode: since the last heartbeat heard, or since this process noticed.
      id: alertId('no-live-worker', context, lastSeenAt ?? `noticed:${(this.uncoveredSince.get(context) ?? tx.now).toISOString()}`),
      kind: 'no-live-worker',
      subject: context,
      taskId: null,
      taskVersion: null,
      status: null,
      facts: {
        kind: 'no-live-worker',
        context,
        lastSeenAt,
        lastInstance: last ? `${last.host}/${last.pid}` : null,
        noneForMs: coverage.noneForMs,
        detectedAt: tx.now.toISOString(),
      },
      raisedAt: tx.now,
      resolvedAt: null,
      resolution: null,
      redrive: null,
    };
    // False when this context already has an open episode (raised by this or another process).
    if (!(await repositories.alerts.insert(alert))) return 0;
    this.logger.warn(
      { context, noneForMs: coverage.noneForMs, lastInstance: alert.facts.kind === 'no-live-worker' ? alert.facts.lastInstance : null },
      'no live worker runs a context',
    );
    const subject = `No live worker: ${context} has had none for ${durationText(coverage.noneForMs)}`;
    return tellAlert(tx, repositories, this.channels, { alert, phase: 'raised', taskVersion: null, subject, recipients: this.recipients });
  }

  private async resolve(tx: Transaction, repositories: HumanInteractionRepositories, context: string, live: WorkerRecord): Promise<number> {
    let told = 0;
    for (const open of await repositories.alerts.lockOpen(context)) {
      if (open.kind !== 'no-live-worker') continue;
      const instance = `${live.host}/${live.pid}`;
      if (!(await repositories.alerts.resolve(open.id, tx.now, { instance, startedAt: live.startedAt.toISOString() }))) continue;
      this.logger.info({ context, instance }, 'a live worker runs the context again');
      const resolved: Alert = { ...open, resolvedAt: tx.now, resolution: { instance, startedAt: live.startedAt.toISOString() } };
      const subject = `Worker back: ${instance} runs ${context} again`;
      told += await tellAlert(tx, repositories, this.channels, {
        alert: resolved,
        phase: 'resolved',
        taskVersion: null,
        subject,
        recipients: await repositories.alerts.recipientsOf(open.id),
      });
    }
    return told;
  }
}
