import {
  PRODUCT_MANAGER_POOL,
  type ClarificationAnswer,
  type TaskPriority,
  type TaskSnapshot,
  type TaskStatus,
  type Transition,
} from '../../src/contexts/task-management/contracts';
import { SeededSequence } from './seeded-sequence';

/** When a story begins unless told otherwise; a step given no time comes STEP_MS after the one before. */
export const TASK_STORY_T0 = new Date('2026-01-05T09:00:00.000Z');
export const STEP_MS = 60_000;

/** What the agent asks when a story does not say. */
export const QUESTIONS: [string, string] = ['Which invoice fields?', 'Which date range?'];

export interface TaskFields {
  readonly taskId: string;
  readonly title: string;
  readonly description: string;
  readonly requesterId: string;
  readonly approverId: string;
  readonly priority: TaskPriority;
}

/** When a step happens (a Date alone is its time) and, when not the usual one, who takes it. */
export type When = Date | { readonly at?: Date; readonly actor?: string };

type Details = Pick<Transition, 'reason' | 'assignedPool' | 'questions' | 'answers' | 'prdVersion' | 'feedback'>;

// One sequence per test file (jest gives each file its own modules, and each file its own database).
const ids = new SeededSequence();

/**
 * A task's life as Task Management announces it, one move at a time:
 * `TaskStory.created().startValidation().askQuestions().answer().submitPrd().approve()`.
 * A story is a value: each move returns a new story and leaves the one it was called on as it was,
 * so a test can hold on to an older version of the same task. The moves, their actors, details and
 * the assigned pool are those of the Task aggregate (test/support/task-story.test.ts holds them to it).
 */
export class TaskStory {
  private constructor(
    readonly fields: TaskFields,
    private readonly history: readonly Transition[],
    readonly assignedPool: string | null,
    readonly prdVersion: number | null,
  ) {}

  /** A new task (version 1, NEW), its fields defaulted where not given, its id from the seeded sequence. */
  static created(at?: Date): TaskStory;
  static created(fields: Partial<TaskFields>, when?: When): TaskStory;
  static created(fieldsOrAt: Partial<TaskFields> | Date = {}, when?: When): TaskStory {
    const [given, step] = fieldsOrAt instanceof Date ? [{}, fieldsOrAt] : [fieldsOrAt, when];
    const fields: TaskFields = {
      taskId: given.taskId ?? ids.id('task'),
      title: given.title ?? 'Export invoices as CSV',
      description: given.description ?? 'Finance needs monthly invoice exports they can open in a spreadsheet.',
      requesterId: given.requesterId ?? 'alice',
      approverId: given.approverId ?? 'bob',
      priority: given.priority ?? 'normal',
    };
    const { at, actor } = resolve(step, `user:${fields.requesterId}`, TASK_STORY_T0);
    return new TaskStory(fields, [{ from: null, to: 'NEW', version: 1, at: at.toISOString(), actor, messageId: null, correlationId: null }], null, null);
  }

  get taskId(): string {
    return this.fields.taskId;
  }

  get status(): TaskStatus {
    return this.last.to;
  }

  get version(): number {
    return this.history.length;
  }

  startValidation(when?: When): TaskStory {
    return this.move('REQUEST_VALIDATION', when, 'service:orchestration', { assignedPool: PRODUCT_MANAGER_POOL }, { assignedPool: PRODUCT_MANAGER_POOL });
  }

  askQuestions(when?: When): TaskStory;
  askQuestions(questions: readonly string[], when?: When): TaskStory;
  askQuestions(questionsOrWhen?: readonly string[] | When, when?: When): TaskStory {
    const [questions, step] = isWhen(questionsOrWhen) ? [QUESTIONS, questionsOrWhen] : [questionsOrWhen, when];
    return this.move('CLARIFICATION_NEEDED', step, 'service:product-manager-agent', { questions: [...questions] });
  }

  /** The requester's answers; without any, one to each question of the round awaiting them. */
  answer(when?: When): TaskStory;
  answer(answers: readonly ClarificationAnswer[], when?: When): TaskStory;
  answer(answersOrWhen?: readonly ClarificationAnswer[] | When, when?: When): TaskStory {
    const [answers, step] = isWhen(answersOrWhen)
      ? [this.pendingQuestions().map((question) => ({ question, answer: 'As the description says' })), answersOrWhen]
      : [answersOrWhen, when];
    return this.move('REQUEST_VALIDATION', step, `user:${this.fields.requesterId}`, { answers: answers.map((a) => ({ ...a })) });
  }

  /** The agent submits a PRD: the next version unless one is named. */
  submitPrd(when?: When): TaskStory;
  submitPrd(prdVersion: number, when?: When): TaskStory;
  submitPrd(prdVersionOrWhen?: number | When, when?: When): TaskStory {
    const [prdVersion, step] = typeof prdVersionOrWhen === 'number' ? [prdVersionOrWhen, when] : [(this.prdVersion ?? 0) + 1, prdVersionOrWhen];
    return this.move('PRD_VALIDATION', step, 'service:product-manager-agent', { prdVersion }, { prdVersion });
  }

  reject(when?: When): TaskStory;
  reject(feedback: string, when?: When): TaskStory;
  reject(feedbackOrWhen?: string | When, when?: When): TaskStory {
    const [feedback, step] = typeof feedbackOrWhen === 'string' ? [feedbackOrWhen, when] : ['Needs more detail', feedbackOrWhen];
    return this.move('REQUEST_VALIDATION', step, `user:${this.fields.approverId}`, { prdVersion: this.prdUnderReview('reject'), feedback });
  }

  approve(when?: When): TaskStory {
    return this.move('APPROVED', when, `user:${this.fields.approverId}`, { prdVersion: this.prdUnderReview('approve') });
  }

  cancel(when?: When): TaskStory;
  cancel(reason: string, when?: When): TaskStory;
  cancel(reasonOrWhen?: string | When, when?: When): TaskStory {
    const [reason, step] = typeof reasonOrWhen === 'string' ? [reasonOrWhen, when] : ['no longer needed', reasonOrWhen];
    return this.move('CANCELLED', step, `user:${this.fields.requesterId}`, { reason });
  }

  fail(when?: When): TaskStory;
  fail(reason: string, when?: When): TaskStory;
  fail(reasonOrWhen?: string | When, when?: When): TaskStory {
    const [reason, step] = typeof reasonOrWhen === 'string' ? [reasonOrWhen, when] : ['gave up', reasonOrWhen];
    return this.move('FAILED', step, 'service:product-manager-agent', { reason });
  }

  /** The payload of the event announcing the current version. */
  snapshot(): TaskSnapshot {
    return {
      ...this.fields,
      status: this.status,
      version: this.version,
      assignedPool: this.assignedPool,
      prdVersion: this.prdVersion,
      createdAt: this.first.at,
      updatedAt: this.last.at,
      history: this.history.map((transition) => structuredClone(transition)),
    };
  }

  private get first(): Transition {
    return this.transition(0);
  }

  private get last(): Transition {
    return this.transition(this.history.length - 1);
  }

  private transition(index: number): Transition {
    const transition = this.history[index];
    if (!transition) throw new Error('a task always has a history');
    return transition;
  }

  private pendingQuestions(): readonly string[] {
    if (this.status !== 'CLARIFICATION_NEEDED') throw new Error(`task ${this.taskId} awaits no answers: it is ${this.status}`);
    return this.last.questions ?? [];
  }

  private prdUnderReview(move: string): number {
    if (this.prdVersion === null) throw new Error(`task ${this.taskId} has no PRD to ${move}`);
    return this.prdVersion;
  }

  private move(
    to: TaskStatus,
    when: When | undefined,
    usualActor: string,
    details: Details,
    changes: Partial<Pick<TaskStory, 'assignedPool' | 'prdVersion'>> = {},
  ): TaskStory {
    const { at, actor } = resolve(when, usualActor, new Date(Date.parse(this.last.at) + STEP_MS));
    const transition: Transition = {
      from: this.status,
      to,
      version: this.version + 1,
      at: at.toISOString(),
      actor,
      messageId: null,
      correlationId: null,
      ...details,
    };
    return new TaskStory(this.fields, [...this.history, transition], changes.assignedPool ?? this.assignedPool, changes.prdVersion ?? this.prdVersion);
  }
}

function isWhen(value: readonly unknown[] | When | undefined): value is When | undefined {
  return !Array.isArray(value);
}

function resolve(when: When | undefined, usualActor: string, usualAt: Date): { at: Date; actor: string } {
  if (when instanceof Date) return { at: when, actor: usualActor };
  return { at: when?.at ?? usualAt, actor: when?.actor ?? usualActor };
}
