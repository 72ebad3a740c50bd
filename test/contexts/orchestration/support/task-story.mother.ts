import type { TaskSnapshot, TaskStatus, Transition } from '../../../../src/contexts/task-management/contracts';

let sequence = 0;

/**
 * Object mother for task snapshots: tells a task's story one transition at a time, the way
 * Task Management would report it, e.g. `TaskStory.created(at).startValidation(at).askQuestions([..], at)`.
 */
export class TaskStory {
  private constructor(
    readonly taskId: string,
    private readonly createdAt: Date,
    private readonly history: readonly Transition[],
    private readonly prdVersion: number | null,
    readonly title: string,
  ) {}

  static created(at: Date, title = 'Export invoices as CSV'): TaskStory {
    sequence += 1;
    const taskId = `task-${sequence}-${Math.random().toString(36).slice(2, 8)}`;
    return new TaskStory(taskId, at, [transition(null, 'NEW', 1, at, 'user:alice')], null, title);
  }

  get version(): number {
    return this.history.length;
  }

  get status(): TaskStatus {
    return this.last.to;
  }

  startValidation(at: Date): TaskStory {
    return this.move('REQUEST_VALIDATION', at, 'service:orchestration', { assignedPool: 'product-manager' });
  }

  askQuestions(questions: string[], at: Date): TaskStory {
    return this.move('CLARIFICATION_NEEDED', at, 'service:product-manager-agent', { questions });
  }

  answer(at: Date): TaskStory {
    return this.move('REQUEST_VALIDATION', at, 'user:alice', { answers: [{ question: 'Which format?', answer: 'CSV' }] });
  }

  submitPrd(prdVersion: number, at: Date): TaskStory {
    const next = this.move('PRD_VALIDATION', at, 'service:product-manager-agent', { prdVersion });
    return new TaskStory(next.taskId, next.createdAt, next.history, prdVersion, next.title);
  }

  approve(at: Date): TaskStory {
    return this.move('APPROVED', at, 'user:bob', { prdVersion: this.prdVersion ?? 1 });
  }

  cancel(at: Date): TaskStory {
    return this.move('CANCELLED', at, 'user:alice', { reason: 'no longer needed' });
  }

  fail(at: Date): TaskStory {
    return this.move('FAILED', at, 'service:product-manager-agent', { reason: 'gave up' });
  }

  snapshot(): TaskSnapshot {
    return {
      taskId: this.taskId,
      title: this.title,
      description: 'Finance wants to download invoices.',
      requesterId: 'alice',
      approverId: 'bob',
      priority: 'normal',
      status: this.status,
      version: this.version,
      assignedPool: this.status === 'NEW' ? null : 'product-manager',
      prdVersion: this.prdVersion,
      createdAt: this.createdAt.toISOString(),
      updatedAt: this.last.at,
      history: [...this.history],
    };
  }

  private get last(): Transition {
    const last = this.history[this.history.length - 1];
    if (!last) throw new Error('a task always has a history');
    return last;
  }

  private move(to: TaskStatus, at: Date, actor: string, extra: Partial<Transition>): TaskStory {
    const next = [...this.history, { ...transition(this.status, to, this.version + 1, at, actor), ...extra }];
    return new TaskStory(this.taskId, this.createdAt, next, this.prdVersion, this.title);
  }
}

function transition(from: TaskStatus | null, to: TaskStatus, version: number, at: Date, actor: string): Transition {
  return { from, to, version, at: at.toISOString(), actor, messageId: null, correlationId: null };
}
