import type { FeedbackEntry } from '../../domain/product-request';
import type { RequestAnalysis } from './request-analysis';
import { capitalise, clip, unique, withoutFinalStop } from './text';

export type Priority = 'P0' | 'P1' | 'P2';
export interface Requirement {
  readonly id: string;
  readonly description: string;
  readonly priority: Priority;
}

/*
 * Priorities come from the requester's own modal verbs: "must/shall/need to/required" → P0,
 * "should/important" → P1, "could/may/nice to have/ideally" → P2. Constraints bind, so a
 * constraint without a modal is P0. Sentences about speed, security, privacy, accessibility,
 * compatibility and the like are non-functional.
 */
const P0 = /\b(?:must|shall|required|requires?|need to|needs to|has to|have to|critical|essential)\b/i;
const P1 = /\b(?:should|important|expected to)\b/i;
const P2 = /\b(?:could|nice to have|nice-to-have|may|optional(?:ly)?|would be nice|ideally)\b/i;
export const NON_FUNCTIONAL =
  /\b(?:performance|fast|faster|latency|load|seconds?|ms|milliseconds?|uptime|availab\w*|secur\w*|encrypt\w*|privacy|gdpr|hipaa|complian\w*|accessib\w*|wcag|scal\w*|reliab\w*|audit\w*|browsers?|mobile|offline|compatib\w*)\b/i;

export function priorityOf(sentence: string): Priority | undefined {
  if (P0.test(sentence)) return 'P0';
  if (P1.test(sentence)) return 'P1';
  if (P2.test(sentence)) return 'P2';
  return undefined;
}

/** Where a piece of rejection feedback changes the next version. */
export type FeedbackTarget = 'nonGoals' | 'successMetrics' | 'risks' | 'nonFunctional' | 'functional';

export function targetOfFeedback(feedback: string): FeedbackTarget {
  if (/\b(?:out of scope|not needed|remove|drop|don't need|do not need|no need)\b/i.test(feedback)) return 'nonGoals';
  if (/\b(?:metrics?|measur\w*|kpis?)\b/i.test(feedback)) return 'successMetrics';
  if (/\brisks?\b/i.test(feedback)) return 'risks';
  return NON_FUNCTIONAL.test(feedback) ? 'nonFunctional' : 'functional';
}

export function feedbackLine(entry: FeedbackEntry): string {
  return `Reviewer feedback on PRD v${entry.prdVersion}: ${clip(entry.feedback, 1_500)}`;
}

interface Draft {
  readonly text: string;
  readonly priority: Priority;
  readonly nonFunctional: boolean;
  readonly feedback?: FeedbackEntry;
}

export interface DerivedRequirements {
  readonly functional: Requirement[];
  readonly nonFunctional: Requirement[];
  /** For each feedback entry turned into a requirement, the id it became. */
  readonly idsForFeedback: Map<FeedbackEntry, string>;
}

export function deriveRequirements(analysis: RequestAnalysis, feedback: readonly FeedbackEntry[], audience: string): DerivedRequirements {
  const drafts: Draft[] = [];
  const constraints = new Set(analysis.fragments.constraints);
  for (const sentence of analysis.statements) {
    const priority = priorityOf(sentence) ?? (constraints.has(sentence) ? 'P0' : undefined);
    if (priority) drafts.push({ text: sentence, priority, nonFunctional: constraints.has(sentence) || NON_FUNCTIONAL.test(sentence) });
  }
  for (const criterion of analysis.fragments.acceptanceCriteria) {
    drafts.push({ text: criterion, priority: priorityOf(criterion) ?? 'P0', nonFunctional: false });
  }
  if (!drafts.some((d) => !d.nonFunctional)) {
    drafts.push({ text: `Provide ${analysis.subject} for ${audience}`, priority: 'P0', nonFunctional: false });
  }
  // Feedback becomes a P0 requirement: the reviewer rejected a version for lacking it.
  for (const entry of feedback) {
    const target = targetOfFeedback(entry.feedback);
    if (target === 'functional' || target === 'nonFunctional') {
      drafts.push({ text: feedbackLine(entry), priority: 'P0', nonFunctional: target === 'nonFunctional', feedback: entry });
    }
  }
  const idsForFeedback = new Map<FeedbackEntry, string>();
  const rank: Readonly<Record<Priority, number>> = { P0: 0, P1: 1, P2: 2 };
  const number = (unordered: Draft[], prefix: string): Requirement[] => {
    const list = [...unordered].sort((a, b) => rank[a.priority] - rank[b.priority]);
    const texts = unique(list.map((d) => d.text));
    return texts.map((text, i) => {
      const draft = list.find((d) => d.text === text);
      const id = `${prefix}-${i + 1}`;
      if (draft?.feedback) idsForFeedback.set(draft.feedback, id);
      return { id, description: capitalise(clip(withoutFinalStop(text))), priority: draft?.priority ?? 'P1' };
    });
  };
  return {
    functional: number(
      drafts.filter((d) => !d.nonFunctional),
      'FR',
    ),
    nonFunctional: number(
      drafts.filter((d) => d.nonFunctional && !/^\s*(?:none|n\/a|nothing|no constraints?)\b/i.test(d.text)),
      'NFR',
    ),
    idsForFeedback,
  };
}
