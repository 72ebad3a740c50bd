import type { RepositoryFactory } from '../../../../shared/persistence/unit-of-work';
import type { MessageTrail } from '../../../../shared/persistence/message-trail';
import type { OutboxBacklog } from '../../../../shared/persistence/outbox/outbox-metrics';
import type { WorkerRecord } from '../../../../shared/workers/worker-record';
import type { TaskStatus } from '../../../task-management/contracts';
import type { TaskView } from '../../domain/task-view';
import type { DeliveryRecord } from '../deliver-notifications/delivery.repository';

export const OPERATOR_OUTCOMES = ['ok', 'failed'] as const;
export type OperatorOutcome = (typeof OPERATOR_OUTCOMES)[number];

/** One entry of the audit log: an operator's action, how it ended, in words an operator reads. */
export interface OperatorAction {
  readonly id: string;
  readonly at: Date;
  readonly actorId: string;
  /** What was done: `dead-letters.replay`, `deliveries.retry`, … */
  readonly action: string;
  /** What it was done to: a consumer and selector, a delivery, a task. */
  readonly target: string;
  readonly taskId: string | null;
  readonly outcome: OperatorOutcome;
  /** What happened: "replayed 3 of 3 shown", or the error. */
  readonly detail: string;
}

export type NewOperatorAction = Omit<OperatorAction, 'id' | 'at'>;

/** A delivery of one of a task's notifications, with what the notification was. */
export interface TaskDelivery extends DeliveryRecord {
  readonly kind: string;
  readonly subject: string;
}

/** What a task search looks at: its id, a person's id (requester or approver), a correlation id, words of the title. */
export interface TaskSearch {
  readonly text: string;
  /** Tasks other evidence points at (the keys of messages with this correlation id). */
  readonly taskIds: readonly string[];
}

/** The operators' tables and reads across the context's own tables. */
export interface OpsRepository {
  recordAction(action: NewOperatorAction, at: Date): Promise<OperatorAction>;
  /** Newest first; only a task's when `taskId` is given. */
  listActions(filter: { readonly taskId?: string; readonly limit: number }): Promise<OperatorAction[]>;
  tasksByStatus(): Promise<ReadonlyArray<{ readonly status: TaskStatus; readonly count: number }>>;
  searchTasks(search: TaskSearch, limit: number): Promise<TaskView[]>;
  deliveriesOfTask(taskId: string): Promise<TaskDelivery[]>;
  failedDeliveries(): Promise<number>;
}

/** The shared worker registry (`operations.workers`), read only. */
export interface WorkerList {
  list(): Promise<WorkerRecord[]>;
}

/** What this context last heard of the agent pool's switch (from `agent-pool-changed`). */
export interface AgentPoolView {
  readonly pool: string;
  readonly paused: boolean;
  readonly by: string;
  readonly reason: string | null;
  readonly changedAt: Date;
}

export interface AgentPoolViewRepository {
  /** Undefined when no change was ever heard of: the pool runs, as it starts. */
  find(pool: string): Promise<AgentPoolView | undefined>;
  /** Stores the view unless a newer change is stored already; returns whether it did. */
  applyIfNewer(view: AgentPoolView): Promise<boolean>;
}

export interface OpsRepositories {
  readonly ops: OpsRepository;
  readonly agentPool: AgentPoolViewRepository;
  readonly messages: MessageTrail;
  /** The relay's backlog, read as `/metrics` reads it (`readOutboxBacklog`). */
  readonly outbox: { backlog(): Promise<OutboxBacklog> };
  readonly workers: WorkerList;
}

export type OpsRepositoryFactory = RepositoryFactory<OpsRepositories>;
