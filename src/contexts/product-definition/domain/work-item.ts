import type { TaskPriority } from '../../task-management/contracts';
import type { TraceCarrier } from '../../../shared/tracing/trace-context';

export const WORK_ITEM_STATUSES = ['pending', 'leased', 'done', 'superseded', 'cancelled'] as const;
export type WorkItemStatus = (typeof WORK_ITEM_STATUSES)[number];

/** Claim order: a higher rank is served first, then the oldest item. */
const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = { urgent: 3, high: 2, normal: 1, low: 0 };

export function priorityRank(priority: TaskPriority): number {
  return PRIORITY_RANK[priority];
}

/** The command the agent's work produced, kept so it can be sent again with the same message id. */
export interface StoredOutcome {
  readonly type: string;
  readonly kind: 'command';
  readonly key: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly messageId: string;
}

/** One task version waiting for (or handled by) the product-manager pool. */
export interface WorkItem {
  readonly id: string;
  readonly taskId: string;
  readonly taskVersion: number;
  readonly priorityRank: number;
  readonly createdAt: Date;
  readonly status: WorkItemStatus;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly attempts: number;
  readonly outcome: StoredOutcome | null;
  /** Bumped by every change: a poller completes only if nothing changed since its claim. */
  readonly version: number;
  /** The trace of the step that asked for this work: the agent's call continues it. */
  readonly trace?: TraceCarrier | undefined;
}

/** Identifies a claim: completing or releasing must match all of it, or the lease was lost. */
export interface Lease {
  readonly itemId: string;
  readonly owner: string;
  readonly version: number;
}

export interface NewWorkItem {
  readonly taskId: string;
  readonly taskVersion: number;
  readonly priority: TaskPriority;
  readonly createdAt: Date;
}

export interface WorkItemRepository {
  /** Idempotent: returns false when the item for that task version already exists. */
  ensure(item: NewWorkItem): Promise<boolean>;
  find(taskId: string, taskVersion: number): Promise<WorkItem | undefined>;
  /** Ends unfinished items of versions older than `taskVersion` (their outcome would be stale). */
  supersedeOlder(taskId: string, taskVersion: number): Promise<number>;
  /** Ends every unfinished item of the task (it reached a terminal status). */
  cancelUnfinished(taskId: string): Promise<number>;
  /**
   * Takes the best claimable item (pending, or leased with an expired lease) for `owner`; nothing
   * while an operator has paused the agent pool (its switch, read by the same statement).
   */
  claimNext(owner: string, now: Date, leaseMs: number): Promise<WorkItem | undefined>;
  /** Stores the outcome if the lease still holds; false when another poller took over. */
  complete(lease: Lease, outcome: StoredOutcome): Promise<boolean>;
  /** Puts the item back for another attempt if the lease still holds. */
  release(lease: Lease): Promise<boolean>;
  /**
   * Puts back every item leased by a pool of the given worker instance (lease owners
   * `<instanceId>/<poller>`), whatever its lease's expiry: the instance is gone. The attempt it
   * spent still counts. Returns how many.
   */
  releaseLeasesOf(instanceId: string): Promise<number>;
}
