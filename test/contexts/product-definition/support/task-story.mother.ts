import { randomUUID } from 'node:crypto';
import {
  PRODUCT_MANAGER_POOL,
  type ClarificationAnswer,
  type TaskPriority,
  type TaskSnapshot,
  type TaskStatus,
  type Transition,
} from '../../../../src/contexts/task-management/contracts';

/**
 * Tells a task's life as Task Management would announce it: each step adds a transition, and
 * `snapshot()` is the payload of the event announcing the current version.
 */
export class TaskStory {
  private readonly history: Transition[] = [];
  private status: TaskStatus = 'NEW';
  private prdVersion: number | null = null;
  private pool: string | null = null;

  private constructor(
    readonly taskId: string,
    private readonly fields: { title: string; description: string; priority: TaskPriority },
  ) {
    this.move('NEW', 'user:alice');
  }

  static of(fields: Partial<{ taskId: string; title: string; description: string; priority: TaskPriority }> = {}): TaskStory {
    return new TaskStory(fields.taskId ?? `task-${randomUUID()}`, {
      title: fields.title ?? 'Make the dashboard better',
      description: fields.description ?? 'Make the dashboard better',
      priority: fields.priority ?? 'normal',
    });
  }

  get version(): number {
    return this.history.length;
  }

  startValidation(): this {
    return this.move('REQUEST_VALIDATION', 'service:orchestration', { assignedPool: PRODUCT_MANAGER_POOL });
  }

  askClarification(questions: string[]): this {
    return this.move('CLARIFICATION_NEEDED', 'service:product-manager-agent', { questions });
  }

  answer(answers: ClarificationAnswer[]): this {
    return this.move('REQUEST_VALIDATION', 'user:alice', { answers, assignedPool: PRODUCT_MANAGER_POOL });
  }

  submitPrd(prdVersion: number): this {
    this.prdVersion = prdVersion;
    return this.move('PRD_VALIDATION', 'service:product-manager-agent', { prdVersion });
  }

  reject(feedback: string): this {
    return this.move('REQUEST_VALIDATION', 'user:bob', { feedback, prdVersion: this.prdVersion ?? 1, assignedPool: PRODUCT_MANAGER_POOL });
  }

  approve(): this {
    return this.move('APPROVED', 'user:bob', { prdVersion: this.prdVersion ?? 1 });
  }

  cancel(): this {
    return this.move('CANCELLED', 'user:alice', { reason: 'no longer needed' });
  }

  snapshot(): TaskSnapshot {
    const at = (version: number) => new Date(Date.UTC(2026, 0, 1, 9, version)).toISOString();
    return {
      taskId: this.taskId,
      ...this.fields,
      requesterId: 'alice',
      approverId: 'bob',
      status: this.status,
      version: this.version,
      assignedPool: this.pool,
      prdVersion: this.prdVersion,
      createdAt: at(1),
      updatedAt: at(this.version),
      history: this.history.map((transition) => ({ ...transition })),
    };
  }

  private move(to: TaskStatus, actor: string, extra: Partial<Transition> = {}): this {
    const from = this.history.length === 0 ? null : this.status;
    this.status = to;
    this.pool = to === 'REQUEST_VALIDATION' ? PRODUCT_MANAGER_POOL : null;
    const version = this.history.length + 1;
    this.history.push({ from, to, version, at: new Date(Date.UTC(2026, 0, 1, 9, version)).toISOString(), actor, messageId: null, correlationId: null, ...extra });
    return this;
  }
}
