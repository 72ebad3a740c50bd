import { TERMINAL_STATUSES, type TaskPriority, type TaskSnapshot, type TaskStatus, type Transition } from '../../task-management/contracts';
import { ActionConflictError, InvalidRequestError, NotAllowedError } from './human-interaction.errors';
import { UNCONFIRMED_VERSION } from './human-action';
import { hasRole, type User } from './user';

/**
 * What this context knows of a task: the latest snapshot task management announced, or what was
 * submitted here before it confirmed. Decisions are checked against it, but it may lag: task
 * management has the final word on every command sent.
 */
export interface TaskView {
  readonly taskId: string;
  readonly requesterId: string;
  readonly approverId: string;
  readonly title: string;
  readonly description: string;
  readonly priority: TaskPriority;
  readonly status: TaskStatus;
  readonly version: number;
  readonly snapshot: TaskSnapshot | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function isTerminal(view: Pick<TaskView, 'status'>): boolean {
  return TERMINAL_STATUSES.includes(view.status);
}

export function canSee(view: TaskView, user: User): boolean {
  return hasRole(user, 'admin') || view.requesterId === user.id || view.approverId === user.id;
}

export function assertCanSee(view: TaskView, user: User): void {
  if (!canSee(view, user)) throw new NotAllowedError(`task ${view.taskId} is neither requested nor approved by ${user.id}`);
}

export function assertIsRequester(view: TaskView, user: User): void {
  if (view.requesterId !== user.id) throw new NotAllowedError(`only the requester of task ${view.taskId} may do this`);
}

/** The task's approver, and still an approver by role: a role taken away in configuration ends the right to decide. */
export function assertIsApprover(view: TaskView, user: User): void {
  if (view.approverId !== user.id) throw new NotAllowedError(`only the approver of task ${view.taskId} may do this`);
  if (!hasRole(user, 'approver')) throw new NotAllowedError(`${user.id} no longer has the approver role`);
}

/** What a decision on a PRD follows besides the approver's role. */
export interface DecisionRules {
  /** Four-eyes: the requester of a task may not decide on its PRD, even holding the approver role. */
  readonly fourEyes: boolean;
}

/** Why a decision by this person is refused under four-eyes; undefined when it is not. */
export function ownRequestRefusal(view: TaskView, user: User, rules: DecisionRules): string | undefined {
  if (!rules.fourEyes || view.requesterId !== user.id) return undefined;
  return `${user.id} requested task ${view.taskId} and may not approve or reject their own request (four-eyes: another approver must decide)`;
}

/** Four-eyes: refuses (403) a decision by the task's own requester. */
export function assertNotOwnRequest(view: TaskView, user: User, rules: DecisionRules): void {
  const refusal = ownRequestRefusal(view, user, rules);
  if (refusal) throw new NotAllowedError(refusal);
}

function assertStatus(view: TaskView, expected: TaskStatus): void {
  if (view.status !== expected) throw new ActionConflictError(`task is ${view.status}, not ${expected}`);
}

/** The transition that entered the current status: it carries what the status is about. */
function currentEntry(view: TaskView): Transition | undefined {
  return view.snapshot?.history.at(-1);
}

/** The questions the requester must answer now; throws unless the task waits for answers. */
export function pendingQuestions(view: TaskView): readonly string[] {
  assertStatus(view, 'CLARIFICATION_NEEDED');
  return currentEntry(view)?.questions ?? [];
}

/** Every answer must address one of the pending questions, each at most once. */
export function assertAnswersFit(view: TaskView, answers: ReadonlyArray<{ question: string }>): void {
  const pending = new Set(pendingQuestions(view).map((q) => q.trim()));
  const seen = new Set<string>();
  const issues = answers.flatMap((answer, i) => {
    const question = answer.question.trim();
    const problem = !pending.has(question) ? 'is not one of the pending questions' : seen.has(question) ? 'is answered twice' : undefined;
    seen.add(question);
    return problem ? [{ field: `answers.${i}.question`, message: problem }] : [];
  });
  if (issues.length > 0) throw new InvalidRequestError(issues);
}

/** The PRD version a decision applies to; throws unless that version awaits a decision. */
export function prdVersionToDecide(view: TaskView, requested: number | undefined): number {
  assertStatus(view, 'PRD_VALIDATION');
  const current = view.snapshot?.prdVersion ?? null;
  if (current === null) throw new ActionConflictError(`task ${view.taskId} has no PRD awaiting a decision`);
  if (requested !== undefined && requested !== current) {
    throw new ActionConflictError(`PRD version ${requested} is not the one awaiting a decision (version ${current})`);
  }
  return current;
}

export function assertCancellable(view: TaskView): void {
  if (isTerminal(view)) throw new ActionConflictError(`task is ${view.status}, it can no longer be cancelled`);
  // Task management does not know the task yet; a cancel could overtake its creation.
  if (view.version === UNCONFIRMED_VERSION) throw new ActionConflictError('task is not confirmed by task management yet; try again shortly');
}
