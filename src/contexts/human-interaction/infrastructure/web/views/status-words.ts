import type { TaskStatus } from '../../../../task-management/contracts';
import type { NotificationStanding } from '../../../application/queries/notification-state';
import type { Notification } from '../../../domain/notification';

/** A task's status as a person says it (no raw code on a page). */
export const STATUS_WORDS: Record<TaskStatus, string> = {
  NEW: 'submitted',
  REQUEST_VALIDATION: 'agent working',
  CLARIFICATION_NEEDED: 'waiting for answers',
  PRD_VALIDATION: 'waiting for a decision',
  APPROVED: 'approved',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
};

/** What a notification is now, in words: "Needs you", "Done", "Superseded by v2", "Task finished". */
export function standingWords(n: Pick<Notification, 'kind'>, standing: NotificationStanding): string {
  switch (standing.state) {
    case 'needs-you':
      return 'Needs you';
    case 'done':
      return 'Done';
    case 'task-finished':
      return 'Task finished';
    case 'superseded':
      if (standing.supersededBy === undefined) return 'Superseded';
      return n.kind === 'clarification-requested' ? `Superseded by question round ${standing.supersededBy}` : `Superseded by v${standing.supersededBy}`;
  }
}
