import { SendNotification, type NotificationKind } from '../../human-interaction/contracts';
import { PRODUCT_MANAGER_POOL, StartValidation } from '../../task-management/contracts';
import { message } from '../../../shared/messaging/contract-registry';
import { deterministicId, type OutgoingMessage } from '../../../shared/messaging/envelope';
import type { TaskProjection } from './task-projection';

type StepSource = Pick<TaskProjection, 'taskId' | 'status' | 'version' | 'title' | 'requesterId' | 'approverId' | 'prdVersion' | 'questions'>;

/**
 * The command that moves a task on from its current status, or null when another context owns
 * the step (REQUEST_VALIDATION belongs to product definition). Ids depend only on the task and
 * its version, so sending the step again is a duplicate the receiver's inbox drops.
 */
export function nextStep(task: StepSource): OutgoingMessage | null {
  switch (task.status) {
    case 'NEW':
      return message(
        StartValidation,
        task.taskId,
        { taskId: task.taskId, pool: PRODUCT_MANAGER_POOL, expectedVersion: task.version },
        deterministicId('start-validation', task.taskId, task.version),
      );
    case 'REQUEST_VALIDATION':
      return null;
    case 'CLARIFICATION_NEEDED':
      return notify(task, task.requesterId, 'clarification-requested', `Questions about your request "${task.title}"`, {
        ...(task.questions && task.questions.length > 0 ? { questions: [...task.questions] } : {}),
      });
    case 'PRD_VALIDATION':
      return notify(
        task,
        task.approverId,
        'prd-ready-for-review',
        `PRD${task.prdVersion !== null ? ` v${task.prdVersion}` : ''} ready for review: "${task.title}"`,
        {
          ...(task.prdVersion !== null ? { prdVersion: task.prdVersion } : {}),
        },
      );
    case 'APPROVED':
      return notify(task, task.requesterId, 'task-approved', `PRD approved: "${task.title}"`);
    case 'CANCELLED':
      return notify(task, task.requesterId, 'task-cancelled', `Request cancelled: "${task.title}"`);
    case 'FAILED':
      return notify(task, task.requesterId, 'task-failed', `Request could not be completed: "${task.title}"`);
  }
}

function notify(
  task: StepSource,
  recipientId: string,
  kind: NotificationKind,
  subject: string,
  extra: { questions?: string[]; prdVersion?: number } = {},
): OutgoingMessage {
  const id = deterministicId('notify', task.taskId, task.version, recipientId);
  return message(
    SendNotification,
    task.taskId,
    { notificationId: id, taskId: task.taskId, taskVersion: task.version, recipientId, kind, subject, ...extra },
    id,
  );
}
