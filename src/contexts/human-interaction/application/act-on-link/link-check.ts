import type { TaskStatus } from '../../../task-management/contracts';
import type { ActionLinkClaims, LinkAction, LinkRefusal } from '../../domain/action-link';
import type { TaskView } from '../../domain/task-view';
import { hasRole, type Role, type User } from '../../domain/user';

/** Why a link does nothing, in words for the person who followed it, and where the task stands. */
export interface LinkRefused {
  readonly ok: false;
  readonly reason: LinkRefusal;
  readonly message: string;
  /** The task the link is about, when the link can be trusted to say so. */
  readonly taskId: string | null;
  readonly status?: TaskStatus;
}

export function refused(reason: LinkRefusal, message: string, taskId: string | null, status?: TaskStatus): LinkRefused {
  return { ok: false, reason, message, taskId, ...(status ? { status } : {}) };
}

const ROLE_FOR: Record<LinkAction, Role> = { answer: 'requester', approve: 'approver', reject: 'approver', redrive: 'admin' };

/** The link's person must still be configured, still hold the role, and still be the one the task names. */
export function notAllowed(claims: ActionLinkClaims, user: User | undefined, view: TaskView): LinkRefused | undefined {
  const refuse = (why: string) => refused('not-allowed', why, claims.taskId, view.status);
  if (!user) return refuse(`This link was sent to ${claims.userId}, who is no longer a user of Refinery.`);
  const role = ROLE_FOR[claims.action];
  if (!hasRole(user, role)) return refuse(`${user.name} is no longer ${role === 'requester' ? 'a' : 'an'} ${role}, so this link no longer works.`);
  // An alert's recipients are configured, not named by the task: the role is what counts.
  if (claims.action === 'redrive') return undefined;
  const named = claims.action === 'answer' ? view.requesterId : view.approverId;
  if (named !== user.id) return refuse(`${user.name} is no longer the ${role} of this task.`);
  return undefined;
}

/**
 * A link acts on the state its notification announced. Questions are answered only at that very
 * task version; a PRD decision only while that PRD version is the one awaiting a decision.
 */
export function superseded(claims: ActionLinkClaims, view: TaskView): LinkRefused | undefined {
  const refuse = (why: string) => refused('superseded', why, claims.taskId, view.status);
  if (claims.action === 'redrive') {
    if (view.version !== claims.taskVersion)
      return refuse(`The task has moved on since this alert (it is now ${view.status}, version ${view.version}): there is nothing to re-drive.`);
    return undefined;
  }
  if (claims.action === 'answer') {
    if (view.status !== 'CLARIFICATION_NEEDED') return refuse('These questions were already answered.');
    if (view.version !== claims.taskVersion) return refuse('The agent has asked new questions since this link was sent: answer those instead.');
    return undefined;
  }
  const current = view.snapshot?.prdVersion ?? null;
  if (current !== null && claims.prdVersion !== null && current > claims.prdVersion) {
    return refuse(`This link is for PRD version ${claims.prdVersion}; version ${current} exists now.`);
  }
  if (view.status !== 'PRD_VALIDATION') return refuse(`PRD version ${claims.prdVersion ?? '?'} is no longer awaiting a decision.`);
  if (current !== claims.prdVersion) return refuse(`This link is for PRD version ${claims.prdVersion ?? '?'}, which is not the one awaiting a decision.`);
  return undefined;
}
