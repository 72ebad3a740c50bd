import { message } from '../../../../shared/messaging/contract-registry';
import { deterministicId, type Envelope } from '../../../../shared/messaging/envelope';
import type { Transaction } from '../../../../shared/persistence/unit-of-work';
import { RedriveTask } from '../../../orchestration/contracts';
import { ConfirmTaskSettled, TaskSnapshotPublished } from '../../../task-management/contracts';
import { isTerminal } from '../../domain/task-view';
import type { HumanInteractionRepositories } from '../repositories';

/** What this context holds of a finished task; undefined while the task is open (or unknown). */
export interface FinishedTaskHolding {
  readonly taskVersion: number;
  /** The PRD the task ended with is here (true for a task that never had one). */
  readonly prd: boolean;
  /** Its final notification (approved, cancelled, failed) is here. */
  readonly notified: boolean;
}

/**
 * Every chain a finished task starts ends in this context: the final state (task management),
 * the PRD the task ended with (product definition), the final notification (orchestration, which
 * sends it only once it holds the final state). Once all three are here, this confirms it to task
 * management, whose sweep then stops re-announcing the task: a finished task is re-announced only
 * while something is still owed. Called by each of the three handlers after its write, with the
 * task view row-locked first, so of two handlers racing (the PRD and the notification, say) the
 * one that locks second sees what the first committed and confirms. The confirmation's id is one
 * per task version: sent again after a re-announcement (the first one lost), it still counts once.
 */
export async function confirmIfSettled(
  tx: Transaction,
  repositories: Pick<HumanInteractionRepositories, 'taskViews' | 'prdViews' | 'notifications'>,
  taskId: string,
): Promise<FinishedTaskHolding | undefined> {
  const view = await repositories.taskViews.lock(taskId);
  if (!view || !isTerminal(view)) return undefined;
  const prdVersion = view.snapshot?.prdVersion ?? null;
  const holding: FinishedTaskHolding = {
    taskVersion: view.version,
    prd: prdVersion === null || (await repositories.prdViews.has(taskId, prdVersion)),
    notified: await repositories.notifications.hasFinal(taskId, view.version),
  };
  if (holding.prd && holding.notified) {
    tx.outbox.add(message(ConfirmTaskSettled, taskId, { taskId, taskVersion: view.version }, deterministicId('task-settled', taskId, view.version)));
  }
  return holding;
}

/**
 * A re-announcement of a finished task this context still lacks the final notification of:
 * orchestration is asked for it (`redrive-task` sends a finished task's final notification
 * again, with its original id). Orchestration no longer re-sends it on every re-announcement, so
 * a notification that did arrive is not sent twice. One request per re-announcement (its id is
 * derived from the snapshot's), so a request lost with its notification is made again next time.
 */
export function requestFinalNotification(tx: Transaction, event: Envelope, taskId: string, holding: FinishedTaskHolding | undefined): void {
  if (!holding || holding.notified || event.type !== TaskSnapshotPublished.type) return;
  tx.outbox.add(
    message(
      RedriveTask,
      taskId,
      { taskId, taskVersion: holding.taskVersion, requestedBy: 'service:human-interaction' },
      deterministicId('final-notification', taskId, event.messageId),
    ),
  );
}
