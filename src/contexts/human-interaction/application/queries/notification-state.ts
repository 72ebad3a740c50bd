import { TERMINAL_STATUSES, type TaskStatus } from '../../../task-management/contracts';
import { alertActionsFor } from '../../domain/alert';
import type { Notification } from '../../domain/notification';

/** Whether a notification still needs its recipient. */
export const NOTIFICATION_STATES = ['needs-you', 'done', 'superseded', 'task-finished'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

export interface NotificationStanding {
  readonly state: NotificationState;
  /** For `superseded`: the newer PRD version (a review) or question round (a clarification) that replaced it. */
  readonly supersededBy?: number;
}

/** What this context knows of a task now: its view and its PRD views. */
export interface TaskProgress {
  readonly status: TaskStatus;
  readonly version: number;
  /** The PRD version awaiting (or given) a decision, as the task view says; null before the first PRD. */
  readonly prdVersion: number | null;
  /** The newest PRD version drafted (PRD views); null when none. */
  readonly latestPrdVersion: number | null;
  /** The task versions at which questions were asked, oldest first: round n is `questionRounds[n - 1]`. */
  readonly questionRounds: readonly number[];
}

type About = Pick<Notification, 'kind' | 'taskVersion' | 'prdVersion' | 'readAt'>;

const isTerminal = (status: TaskStatus) => TERMINAL_STATUSES.includes(status);

function clarificationState(n: About, task: TaskProgress): NotificationStanding {
  const latestRound = task.questionRounds.length;
  const ownRound = task.questionRounds.filter((version) => version <= (n.taskVersion ?? 0)).length;
  if (latestRound > ownRound) return { state: 'superseded', supersededBy: latestRound };
  // Its round is the newest one: while the task waits for answers, they are this round's.
  if (task.status === 'CLARIFICATION_NEEDED') return { state: 'needs-you' };
  // Answered (the task went on, perhaps to approval), unless it ended while waiting or after.
  if (task.status === 'CANCELLED' || task.status === 'FAILED') return { state: 'task-finished' };
  return { state: 'done' };
}

function reviewState(n: About, task: TaskProgress): NotificationStanding {
  const own = n.prdVersion ?? 0;
  if (task.latestPrdVersion !== null && task.latestPrdVersion > own) return { state: 'superseded', supersededBy: task.latestPrdVersion };
  if (task.status === 'PRD_VALIDATION' && task.prdVersion === own) return { state: 'needs-you' };
  // Decided: approved, or rejected with the next version still being written.
  if (task.status === 'CANCELLED' || task.status === 'FAILED') return { state: 'task-finished' };
  return { state: 'done' };
}

/**
 * The one rule for what a notification is now, computed when it is read from what it was about
 * (its kind, task version, PRD version) and where the task stands (`task`; undefined when it is
 * about no task or the task is unknown here):
 * - a question notification needs you while the task still waits for that round's answers; a
 *   newer round supersedes it; answered it is done; a task cancelled or failed finished it;
 * - a review notification needs you while its PRD version awaits a decision; a newer PRD version
 *   supersedes it; decided (approved, or rejected) it is done; cancelled or failed finished it;
 * - the final notifications (approved, cancelled, failed) report a finished task;
 * - an alert with a link (re-drive) needs you while the task stays at the version it was raised
 *   at, other alerts about a task need nobody (done, or the task finished);
 * - an alert about no task cannot be checked against a task: "no live worker" needs you until
 *   read, "worker back" is done.
 */
export function notificationState(n: About, task: TaskProgress | undefined): NotificationStanding {
  switch (n.kind) {
    case 'alert-no-worker':
      return { state: n.readAt === null ? 'needs-you' : 'done' };
    case 'alert-worker-back':
      return { state: 'done' };
    case 'task-approved':
    case 'task-cancelled':
    case 'task-failed':
      return { state: 'task-finished' };
    case 'clarification-requested':
    case 'prd-ready-for-review':
    case 'alert-stalled':
    case 'alert-moved-on':
    case 'alert-task-failed':
      // A notification is stored once its task view has caught up, so an unknown task is not expected: keep it offered.
      if (task === undefined) return { state: 'needs-you' };
      if (n.kind === 'clarification-requested') return clarificationState(n, task);
      if (n.kind === 'prd-ready-for-review') return reviewState(n, task);
      if (isTerminal(task.status)) return { state: 'task-finished' };
      return { state: alertActionsFor(n.kind).length > 0 && task.version === n.taskVersion ? 'needs-you' : 'done' };
  }
}
