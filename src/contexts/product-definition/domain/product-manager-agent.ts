import type { TaskPriority } from '../../task-management/contracts';
import type { AuthoredPrd, PrdDocument, PrdGeneration } from '../contracts';
import type { GroundingFinding } from './grounding';
import type { ClarificationEntry, FeedbackEntry } from './product-request';

/** Everything an agent may use to judge a request; it reads nothing else. */
export interface AssessmentInput {
  readonly taskId: string;
  readonly title: string;
  readonly description: string;
  readonly priority: TaskPriority;
  /** Answers are numbered from 1 in this order: a source `{ kind: 'answer', index: n }` is the n-th. */
  readonly clarificationLog: readonly ClarificationEntry[];
  /** All rejection feedback so far, oldest first, each with the PRD version it was about (numbered from 1 likewise). */
  readonly feedback: readonly FeedbackEntry[];
  readonly previousPrd?: PrdDocument;
  /** Rounds of questions already asked of the requester. */
  readonly clarificationRounds: number;
  /** Rounds the agent may ask in all; at the limit it writes the PRD with open questions. */
  readonly maxClarificationRounds: number;
  /**
   * Set on the one repair attempt: the agent's own previous draft and what the grounding check
   * found wrong with it.
   */
  readonly repair?: { readonly draft: AuthoredPrd; readonly findings: readonly GroundingFinding[] };
}

/** The parts of a request a clarifying question can be about. */
export const CLARIFICATION_FIELDS = ['problem', 'audience', 'outcome', 'acceptanceCriteria', 'constraints', 'scope'] as const;
export type ClarificationField = (typeof CLARIFICATION_FIELDS)[number];

/** A question says what it is about (`field`) and why it matters for this request. */
export interface ClarifyingQuestion {
  readonly field: ClarificationField;
  readonly question: string;
  readonly why: string;
}

/** At most this many questions a round: more is a questionnaire nobody answers well. */
export const MAX_QUESTIONS_PER_ROUND = 3;

/** What the call cost; the service records it on the PRD version (`generatedBy`) and in metrics. */
export type AgentUsage = PrdGeneration;

export type Assessment =
  | { readonly kind: 'questions'; readonly questions: readonly ClarifyingQuestion[]; readonly usage: AgentUsage }
  | { readonly kind: 'prd'; readonly prd: AuthoredPrd; readonly usage: AgentUsage }
  | { readonly kind: 'give-up'; readonly reason: string; readonly usage?: AgentUsage };

/** An assessment that wrote a PRD. */
export type AuthoredPrdOf = Extract<Assessment, { kind: 'prd' }>;

/** Whether the agent can take calls now; a provider that keeps failing pauses it for a while. */
export interface AgentAvailability {
  readonly state: 'available' | 'paused';
  /** Why it is paused and until when, for /ready and the logs. */
  readonly reason?: string;
  readonly until?: Date;
}

/**
 * The product manager of the pool: decides whether a request is clear enough and writes the PRD.
 * It may be slow or fail (a remote model); the poller runs it outside any transaction and retries.
 * It writes only what it authors: the service copies the request, the answers and the feedback
 * into the PRD, and runs the grounding check on what the agent wrote.
 */
export interface ProductManagerAgent {
  readonly kind: 'rule-based' | 'llm';
  assess(input: AssessmentInput): Promise<Assessment>;
  /** Absent means always available. The pool claims no work while the agent is paused. */
  availability?(): AgentAvailability;
}
