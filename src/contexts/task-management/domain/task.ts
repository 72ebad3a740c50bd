import { AggregateRoot } from '../../../shared/kernel/aggregate-root';
import type { ClarificationAnswer, TaskPriority, TaskSnapshot, Transition } from '../contracts';
import type { TaskEvent } from './task.events';
import { IllegalTransition, NotTaskApprover, NotTaskRequester, PrdVersionMismatch } from './task.errors';
import { canMove, MOVES, type TaskMove, type TaskStatus } from './task-status';

/** Who or what caused a change, kept in the task's history. */
export interface Cause {
  /** `user:<id>` for a person, `service:<name>` for a process. */
  readonly actor: string;
  readonly messageId: string | null;
  readonly correlationId: string | null;
  readonly at: Date;
}

export interface NewTask {
  readonly taskId: string;
  readonly title: string;
  readonly description: string;
  readonly requesterId: string;
  readonly approverId: string;
  readonly priority: TaskPriority;
}

export interface TaskState extends NewTask {
  readonly status: TaskStatus;
  readonly version: number;
  readonly assignedPool: string | null;
  readonly prdVersion: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly history: readonly Transition[];
}

export type TransitionDetails = Pick<Transition, 'reason' | 'assignedPool' | 'questions' | 'answers' | 'prdVersion' | 'feedback'>;

export class Task extends AggregateRoot<TaskEvent> {
  private constructor(
    private state: TaskState,
    /** The version the store holds: a save must find it unchanged (optimistic concurrency). */
    private storedVersion: number,
  ) {
    super();
  }

  static create(request: NewTask, cause: Cause): Task {
    const first = transitionOf(null, 'NEW', 1, cause, {});
    const task = new Task(
      { ...request, status: 'NEW', version: 1, assignedPool: null, prdVersion: null, createdAt: cause.at, updatedAt: cause.at, history: [first] },
      0,
    );
    task.record({ type: 'TaskCreated', taskId: request.taskId, transition: first });
    return task;
  }

  static rehydrate(state: TaskState): Task {
    return new Task(state, state.version);
  }

  get id(): string {
    return this.state.taskId;
  }
  get status(): TaskStatus {
    return this.state.status;
  }
  get version(): number {
    return this.state.version;
  }
  get persistedVersion(): number {
    return this.storedVersion;
  }
  get current(): TaskState {
    return this.state;
  }

  /** Transitions not yet stored, oldest first. */
  get unsavedTransitions(): readonly Transition[] {
    return this.state.history.filter((t) => t.version > this.storedVersion);
  }

  markSaved(): void {
    this.storedVersion = this.state.version;
  }

  /** Whether `request` asks for exactly this task: a repeated create is then harmless. */
  isSameRequestAs(request: NewTask): boolean {
    const s = this.state;
    return (
      s.taskId === request.taskId &&
      s.title === request.title &&
      s.description === request.description &&
      s.requesterId === request.requesterId &&
      s.approverId === request.approverId &&
      s.priority === request.priority
    );
  }

  startValidation(pool: string, cause: Cause): void {
    this.move('startValidation', cause, { assignedPool: pool }, { assignedPool: pool });
  }

  requestClarification(questions: readonly string[], cause: Cause): void {
    this.move('requestClarification', cause, { questions: [...questions] });
  }

  submitPrd(prdVersion: number, cause: Cause): void {
    this.move('submitPrd', cause, { prdVersion }, { prdVersion });
  }

  provideClarification(userId: string, answers: readonly ClarificationAnswer[], cause: Cause): void {
    this.requireRequester(userId);
    this.move('provideClarification', cause, { answers: answers.map((a) => ({ ...a })) });
  }

  approvePrd(userId: string, prdVersion: number, cause: Cause): void {
    this.requireApprover(userId);
    this.requireLegal('approvePrd');
    this.requirePrdUnderReview(prdVersion);
    this.move('approvePrd', cause, { prdVersion });
  }

  rejectPrd(userId: string, prdVersion: number, feedback: string, cause: Cause): void {
    this.requireApprover(userId);
    this.requireLegal('rejectPrd');
    this.requirePrdUnderReview(prdVersion);
    this.move('rejectPrd', cause, { prdVersion, feedback });
  }

  cancel(userId: string, reason: string | undefined, cause: Cause): void {
    this.requireRequester(userId);
    this.move('cancel', cause, reason === undefined ? {} : { reason });
  }

  fail(reason: string, cause: Cause): void {
    this.move('fail', cause, { reason });
  }

  toSnapshot(): TaskSnapshot {
    const s = this.state;
    return {
      taskId: s.taskId,
      title: s.title,
      description: s.description,
      requesterId: s.requesterId,
      approverId: s.approverId,
      priority: s.priority,
      status: s.status,
      version: s.version,
      assignedPool: s.assignedPool,
      prdVersion: s.prdVersion,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      history: s.history.map((t) => ({ ...t })),
    };
  }

  private requireRequester(userId: string): void {
    if (userId !== this.state.requesterId) throw new NotTaskRequester(this.id, userId);
  }

  private requireApprover(userId: string): void {
    if (userId !== this.state.approverId) throw new NotTaskApprover(this.id, userId);
  }

  private requireLegal(move: TaskMove): void {
    if (!canMove(move, this.state.status)) throw new IllegalTransition(this.id, this.state.status, MOVES[move].to, move);
  }

  /** A decision is about the version the approver was shown; an older one is refused. */
  private requirePrdUnderReview(prdVersion: number): void {
    if (prdVersion !== this.state.prdVersion) throw new PrdVersionMismatch(this.id, this.state.prdVersion, prdVersion);
  }

  private move(move: TaskMove, cause: Cause, details: TransitionDetails, changes: Partial<Pick<TaskState, 'assignedPool' | 'prdVersion'>> = {}): void {
    this.requireLegal(move);
    const next = MOVES[move].to;
    const version = this.state.version + 1;
    const transition = transitionOf(this.state.status, next, version, cause, details);
    this.state = { ...this.state, ...changes, status: next, version, updatedAt: cause.at, history: [...this.state.history, transition] };
    this.record({ type: 'TaskStatusChanged', taskId: this.id, transition });
  }
}

function transitionOf(from: TaskStatus | null, to: TaskStatus, version: number, cause: Cause, details: TransitionDetails): Transition {
  const present = Object.fromEntries(Object.entries(details as Record<string, unknown>).filter(([, value]) => value !== undefined)) as TransitionDetails;
  return { from, to, version, at: cause.at.toISOString(), actor: cause.actor, messageId: cause.messageId, correlationId: cause.correlationId, ...present };
}
