import { RedriveTask, redriveTaskId } from '../../../orchestration/contracts';
import { message } from '../../../../shared/messaging/contract-registry';
import type { Transaction } from '../../../../shared/persistence/unit-of-work';
import type { Alert } from '../../domain/alert';
import type { User } from '../../domain/user';
import type { HumanInteractionRepositories } from '../repositories';

/** A re-drive asked for from a stall alert: the command orchestration will act on. */
export interface RedriveRequested {
  readonly taskId: string;
  readonly taskVersion: number;
  readonly messageId: string;
}

/**
 * Records on the episode who asked for a re-drive and sends orchestration `redrive-task`, in the
 * caller's transaction (the one that records the link's use). Once per episode: a second request,
 * from another recipient's link, finds it recorded and sends nothing ('already-requested'); the
 * command's id is derived from the task and version, so even two racing requests are one effect
 * in orchestration.
 */
export async function requestRedriveIn(
  tx: Transaction,
  repositories: Pick<HumanInteractionRepositories, 'alerts'>,
  user: User,
  alert: Alert,
): Promise<RedriveRequested | 'already-requested'> {
  if (alert.taskId === null || alert.taskVersion === null) throw new Error(`alert ${alert.id} is about no task: it has nothing to re-drive`);
  if (!(await repositories.alerts.requestRedrive(alert.id, tx.now, user.id))) return 'already-requested';
  const messageId = redriveTaskId(alert.taskId, alert.taskVersion);
  tx.outbox.add(message(RedriveTask, alert.taskId, { taskId: alert.taskId, taskVersion: alert.taskVersion, requestedBy: `user:${user.id}` }, messageId));
  return { taskId: alert.taskId, taskVersion: alert.taskVersion, messageId };
}
