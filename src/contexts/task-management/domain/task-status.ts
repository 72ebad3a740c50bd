import { TASK_STATUSES, type TaskStatus } from '../contracts';

export { TASK_STATUSES, type TaskStatus };

/**
 * The whole state machine, in one place: each move a task can make, from which statuses, to
 * which. Keyed by move rather than by status pair because two moves can share a pair with
 * different sources (answering questions and rejecting a PRD both lead back to validation, but a
 * requester's answer must not pull a PRD out of review).
 */
export const MOVES = {
  startValidation: { from: ['NEW'], to: 'REQUEST_VALIDATION' },
  requestClarification: { from: ['REQUEST_VALIDATION'], to: 'CLARIFICATION_NEEDED' },
  submitPrd: { from: ['REQUEST_VALIDATION'], to: 'PRD_VALIDATION' },
  provideClarification: { from: ['CLARIFICATION_NEEDED'], to: 'REQUEST_VALIDATION' },
  approvePrd: { from: ['PRD_VALIDATION'], to: 'APPROVED' },
  rejectPrd: { from: ['PRD_VALIDATION'], to: 'REQUEST_VALIDATION' },
  cancel: { from: ['NEW', 'REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'PRD_VALIDATION'], to: 'CANCELLED' },
  fail: { from: ['REQUEST_VALIDATION'], to: 'FAILED' },
} as const satisfies Record<string, { readonly from: readonly TaskStatus[]; readonly to: TaskStatus }>;

export type TaskMove = keyof typeof MOVES;

export function canMove(move: TaskMove, from: TaskStatus): boolean {
  return canMoveFrom(MOVES[move], from);
}

/** Which statuses a status can lead to, derived from the moves (NEW: [REQUEST_VALIDATION, CANCELLED], ...). */
export const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = Object.fromEntries(
  TASK_STATUSES.map((from): [TaskStatus, TaskStatus[]] => [
    from,
    TASK_STATUSES.filter((to) => Object.values(MOVES).some((move) => move.to === to && canMoveFrom(move, from))),
  ]),
) as Record<TaskStatus, TaskStatus[]>;

function canMoveFrom(move: { readonly from: readonly TaskStatus[] }, from: TaskStatus): boolean {
  return move.from.includes(from);
}
