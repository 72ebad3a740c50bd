import type { TaskPriority, TaskStatus } from '../../task-management/contracts';

/** A question the agent asked and the requester's answer to it. */
export interface ClarificationEntry {
  readonly question: string;
  readonly answer: string;
}

/** A reviewer's reason for rejecting a PRD version. */
export interface FeedbackEntry {
  readonly prdVersion: number;
  readonly feedback: string;
}

/**
 * Product Definition's own copy of a feature request, as of one task version. It is what the agent
 * works from, so the poller never needs Task Management to answer a query.
 */
export interface ProductRequest {
  readonly taskId: string;
  readonly title: string;
  readonly description: string;
  readonly requesterId: string;
  readonly priority: TaskPriority;
  readonly taskVersion: number;
  readonly taskStatus: TaskStatus;
  /** How many times the agent has already asked the requester (the round limit counts these). */
  readonly clarificationRounds: number;
  readonly clarificationLog: readonly ClarificationEntry[];
  readonly feedback: readonly FeedbackEntry[];
  readonly updatedAt: Date;
}

/** Requests and their snapshot-driven copy. */
export interface ProductRequestRepository {
  /**
   * Stores the copy unless a newer task version is already stored. Returns false when the stored
   * copy is newer (the caller ignores the stale snapshot); true for a newer or the same version.
   */
  saveIfNotOlder(request: ProductRequest): Promise<boolean>;
  find(taskId: string): Promise<ProductRequest | undefined>;
}
