import { inject, injectable } from 'inversify';
import { deterministicId } from '../../../../shared/messaging/envelope';
import type { Transaction } from '../../../../shared/persistence/unit-of-work';
import type { TaskStatus } from '../../../task-management/contracts';
import { type Alert, type AlertKind, type AlertPhase, durationText, type StallFacts } from '../../domain/alert';
import type { TaskView } from '../../domain/task-view';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { AvailableChannels } from '../channel-preferences/channel-choice';
import { availableChannels } from '../channel-preferences/channel-preferences.service';
import type { HumanInteractionRepositories } from '../repositories';
import { alertRecipientsOf } from './alert-recipients';
import { tellAlert } from './tell-alert';

/** The stall as the detector reported it (`orchestration.workflow-stalled.v1`), checked. */
export interface ReportedStall extends Omit<StallFacts, 'kind' | 'stalledForMs'> {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly taskVersion: number;
}

/** One episode per kind, subject and episode key: the same stall reported again is the same alert. */
export function alertId(kind: AlertKind, subject: string, episode: string): string {
  return deterministicId('alert', kind, subject, episode);
}

/**
 * Raises and resolves the alerts about tasks, in the caller's transaction, with the task's view
 * row locked by the caller (so a stall and the event that moves the task on are decided one at a
 * time). Every recipient gets an in-app notification and a delivery on each channel they chose,
 * through the same path as every other notification.
 */
@injectable()
export class TaskAlerts {
  private readonly channels: AvailableChannels;
  private readonly recipients: readonly string[];

  constructor(@inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions) {
    this.channels = availableChannels(options);
    this.recipients = alertRecipientsOf(options);
  }

  /** A stall of the view's current state entry; the number of notifications created (0 when it was raised before). */
  async raiseStall(tx: Transaction, repositories: HumanInteractionRepositories, view: TaskView, stall: ReportedStall): Promise<number> {
    const stalledForMs = Math.max(0, Date.parse(stall.detectedAt) - Date.parse(stall.inStatusSince));
    const alert: Alert = {
      id: alertId('workflow-stalled', stall.taskId, `${stall.status}@${stall.taskVersion}`),
      kind: 'workflow-stalled',
      subject: stall.taskId,
      taskId: stall.taskId,
      taskVersion: stall.taskVersion,
      status: stall.status,
      facts: {
        kind: 'workflow-stalled',
        inStatusSince: stall.inStatusSince,
        thresholdMs: stall.thresholdMs,
        stalledForMs,
        detectedAt: stall.detectedAt,
        redriven: stall.redriven,
      },
      raisedAt: tx.now,
      resolvedAt: null,
      resolution: null,
      redrive: null,
    };
    if (!(await repositories.alerts.insert(alert))) return 0;
    const subject = `Stalled: "${view.title}" has been in ${stall.status} for ${durationText(stalledForMs)}`;
    return this.tell(tx, repositories, alert, 'raised', stall.taskVersion, subject, this.recipients);
  }

  /**
   * The view just took a snapshot: every open episode about an earlier version is over (the task
   * moved on), and a task that failed raises its one failed alert. Returns the notifications created.
   */
  async followTask(tx: Transaction, repositories: HumanInteractionRepositories, view: TaskView): Promise<number> {
    let told = 0;
    for (const open of await repositories.alerts.lockOpen(view.taskId)) {
      if (open.taskVersion === null || open.taskVersion >= view.version) continue;
      if (!(await repositories.alerts.resolve(open.id, tx.now, { status: view.status, taskVersion: view.version }))) continue;
      const subject = `Moved on: "${view.title}" is now ${view.status} (stalled in ${open.status ?? '?'} before)`;
      told += await this.tell(tx, repositories, open, 'resolved', view.version, subject, await repositories.alerts.recipientsOf(open.id));
    }
    if (view.status === 'FAILED') told += await this.raiseFailed(tx, repositories, view);
    return told;
  }

  private async raiseFailed(tx: Transaction, repositories: HumanInteractionRepositories, view: TaskView): Promise<number> {
    const entry = view.snapshot?.history.find((t) => t.version === view.version);
    const alert: Alert = {
      id: alertId('task-failed', view.taskId, 'failed'),
      kind: 'task-failed',
      subject: view.taskId,
      taskId: view.taskId,
      taskVersion: view.version,
      status: view.status,
      facts: { kind: 'task-failed', reason: entry?.reason ?? null, failedAt: entry?.at ?? view.updatedAt.toISOString() },
      raisedAt: tx.now,
      // Nothing follows a failure: the episode is over as it starts.
      resolvedAt: tx.now,
      resolution: { status: view.status, taskVersion: view.version },
      redrive: null,
    };
    if (!(await repositories.alerts.insert(alert))) return 0;
    return this.tell(tx, repositories, alert, 'raised', view.version, `Failed: "${view.title}" could not be completed`, this.recipients);
  }

  private tell(
    tx: Transaction,
    repositories: HumanInteractionRepositories,
    alert: Alert,
    phase: AlertPhase,
    taskVersion: number,
    subject: string,
    recipients: readonly string[],
  ): Promise<number> {
    return tellAlert(tx, repositories, this.channels, { alert, phase, taskVersion, subject, recipients });
  }
}
