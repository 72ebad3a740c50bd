import { type TaskSnapshot, type TaskStatus, TERMINAL_STATUSES, type Transition } from '../../task-management/contracts';

/** What orchestration remembers of a task: enough to decide its next step without asking. */
export interface TaskProjection {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly version: number;
  readonly title: string;
  readonly requesterId: string;
  readonly approverId: string;
  readonly prdVersion: number | null;
  /** From the latest transition into CLARIFICATION_NEEDED. */
  readonly questions: readonly string[] | null;
  /** When the task entered its current status (the latest transition). */
  readonly statusSince: Date;
  /** The version whose step was last sent (0: never). */
  readonly drivenVersion: number;
  readonly drivenAt: Date | null;
  /** The version a stall alert was raised for (0: never). */
  readonly alertedVersion: number;
}

/** The part of a projection that comes from Task Management; the rest is orchestration's bookkeeping. */
export type ProjectedTask = Omit<TaskProjection, 'drivenVersion' | 'drivenAt' | 'alertedVersion'>;

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

function latest(history: readonly Transition[], matching: (t: Transition) => boolean = () => true): Transition | undefined {
  return history.filter(matching).reduce<Transition | undefined>((best, t) => (best && best.version >= t.version ? best : t), undefined);
}

export function projectSnapshot(snapshot: TaskSnapshot): ProjectedTask {
  const last = latest(snapshot.history);
  const clarification = latest(snapshot.history, (t) => t.to === 'CLARIFICATION_NEEDED');
  return {
    taskId: snapshot.taskId,
    status: snapshot.status,
    version: snapshot.version,
    title: snapshot.title,
    requesterId: snapshot.requesterId,
    approverId: snapshot.approverId,
    prdVersion: snapshot.prdVersion,
    questions: clarification?.questions ?? null,
    // The schema guarantees a non-empty history; updatedAt is the same instant in a sane snapshot.
    statusSince: new Date(last?.at ?? snapshot.updatedAt),
  };
}
