import type { NotificationKind } from '../../contracts';
import type { PrdDocument } from '../../../product-definition/contracts';
import type { LinkAction } from '../../domain/action-link';
import { changeText, generationText } from '../prd-text';

/** The part of a PRD a reviewer reads in a notification; the whole document is on the task page. */
export interface PrdSummary {
  readonly version: number;
  readonly title: string;
  readonly problem: string;
  readonly goals: readonly string[];
  /** Functional, then non-functional. */
  readonly requirements: ReadonlyArray<{ readonly id: string; readonly description: string; readonly priority: string }>;
  readonly successMetrics: readonly string[];
  readonly openQuestions: readonly string[];
  /** The version's change log, one line an entry (empty for version 1). */
  readonly changes: readonly string[];
  /** Who wrote the version (agent, model, prompt version) and what it cost. */
  readonly generatedBy: string;
}

export interface DeliveryLink {
  readonly action: LinkAction;
  /** Absolute, signed, single use: the same link the in-app inbox shows. */
  readonly url: string;
}

/**
 * Everything a channel needs to tell a person about a notification, already decided: channels
 * only lay it out (email text and HTML, webhook JSON). Strings a user typed (title,
 * description, answers in a PRD) are raw here; each channel escapes them for its format.
 */
export interface DeliveryContent {
  readonly notificationId: string;
  readonly kind: NotificationKind;
  readonly subject: string;
  /** One sentence: what happened and what, if anything, the person is asked to do. */
  readonly headline: string;
  readonly recipientName: string;
  /** Null for an alert about no task (a context without a live worker). */
  readonly task: { readonly taskId: string; readonly title: string; readonly description: string } | null;
  readonly taskVersion: number | null;
  readonly prdVersion: number | null;
  readonly questions: readonly string[];
  readonly prd: PrdSummary | null;
  readonly links: readonly DeliveryLink[];
  /** The task's page; the workers page for an alert about no task. */
  readonly taskUrl: string;
  /** An alert's facts, one line each (the state, for how long, what was tried); absent otherwise. */
  readonly facts?: readonly string[];
}

/** `reason`: why the task ended, as its last transition says (a failure's cause, a cancellation's note). */
export function headlineFor(kind: NotificationKind, prdVersion: number | null, reason?: string): string {
  const because = reason ? ` Reason: ${reason}` : '';
  switch (kind) {
    case 'clarification-requested':
      return 'The product manager agent needs answers to these questions before it can write the PRD.';
    case 'prd-ready-for-review':
      return `PRD version ${prdVersion ?? '?'} is ready for your review: approve it, or reject it with feedback for the next version.`;
    case 'task-approved':
      return 'The PRD was approved: the request is done.';
    case 'task-cancelled':
      return `The request was cancelled.${because}`;
    case 'task-failed':
      return `The product manager agent could not finish this request; it has stopped.${because}`;
    // Alerts say more (see alert-content.ts); these stand in where the alert cannot be read.
    case 'alert-stalled':
      return 'This task has stopped moving.';
    case 'alert-moved-on':
      return 'This task moved on from the state it was stalled in.';
    case 'alert-task-failed':
      return `This task failed.${because}`;
    case 'alert-no-worker':
      return 'No live process runs a part of the workflow.';
    case 'alert-worker-back':
      return 'A live process runs that part of the workflow again.';
  }
}

export function summarisePrd(version: number, document: PrdDocument): PrdSummary {
  return {
    version,
    title: document.title,
    problem: document.problem,
    goals: document.goals.map((g) => g.text),
    requirements: [...document.functionalRequirements, ...document.nonFunctionalRequirements].map((r) => ({
      id: r.id,
      description: r.description,
      priority: r.priority,
    })),
    successMetrics: document.successMetrics.map((m) => m.text),
    openQuestions: document.openQuestions.map((q) => q.text),
    changes: document.changeLog.map((change) => changeText(change, document.feedback)),
    generatedBy: generationText(document.generatedBy),
  };
}
