import type { TaskPriority } from '../../task-management/contracts';
import type { PrdDocument } from '../contracts';
import type { ClarificationEntry, FeedbackEntry } from './product-request';

/** Everything an agent may use to judge a request; it reads nothing else. */
export interface AssessmentInput {
  readonly taskId: string;
  readonly title: string;
  readonly description: string;
  readonly priority: TaskPriority;
  readonly clarificationLog: readonly ClarificationEntry[];
  /** All rejection feedback so far, oldest first, each with the PRD version it was about. */
  readonly feedback: readonly FeedbackEntry[];
  readonly previousPrd?: PrdDocument;
  /** Rounds of questions already asked of the requester. */
  readonly clarificationRounds: number;
}

export type Assessment =
  | { readonly kind: 'questions'; readonly questions: readonly string[] }
  | { readonly kind: 'prd'; readonly prd: PrdDocument }
  | { readonly kind: 'give-up'; readonly reason: string };

/**
 * The product manager of the pool: decides whether a request is clear enough and writes the PRD.
 * It may be slow or fail (a remote model); the poller runs it outside any transaction and retries.
 */
export interface ProductManagerAgent {
  assess(input: AssessmentInput): Promise<Assessment>;
}
