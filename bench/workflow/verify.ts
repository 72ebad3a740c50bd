import type { WorkflowTrace } from './bot';
import type { RefineryClient, TaskDetails, Transition } from './refinery-client';
import { type Distribution, distribution } from './stats';

const DIRECT = ['NEW', 'REQUEST_VALIDATION', 'PRD_VALIDATION', 'APPROVED'];
const CLARIFIED = ['NEW', 'REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'REQUEST_VALIDATION', 'PRD_VALIDATION', 'APPROVED'];

export interface Verification {
  readonly approved: number;
  readonly exactHistory: number;
  readonly onePrd: number;
  readonly failedWorkflows: number;
  /** The first few discrepancies, each naming the task. */
  readonly problems: string[];
  readonly details: ReadonlyMap<string, TaskDetails>;
}

/** Reads every task back through the API and checks what a person would see of it. */
export async function verifyWorkflows(
  client: RefineryClient,
  token: string,
  traces: readonly WorkflowTrace[],
  prdsInDatabase: ReadonlyMap<string, number>,
): Promise<Verification> {
  const details = new Map<string, TaskDetails>();
  const problems: string[] = [];
  let approved = 0;
  let exactHistory = 0;
  let onePrd = 0;
  const queue = traces.filter((t) => t.taskId !== undefined);
  // A few at a time: the check must not become a load test of its own.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let trace = queue.shift(); trace; trace = queue.shift()) {
        const taskId = trace.taskId as string;
        const view = await client.task(token, taskId);
        details.set(taskId, view);
        const expected = trace.clarified ? CLARIFIED : DIRECT;
        const seen = view.history.map((h) => h.to);
        if (view.task.status === 'APPROVED') approved += 1;
        const versionsInOrder = view.history.every((h, i) => h.version === i + 1);
        if (seen.join('>') === expected.join('>') && versionsInOrder) exactHistory += 1;
        else problems.push(`${taskId}: history ${seen.join(' > ')} (expected ${expected.join(' > ')})`);
        if (view.prdVersions.length === 1 && prdsInDatabase.get(taskId) === 1) onePrd += 1;
        else problems.push(`${taskId}: PRD versions ${JSON.stringify(view.prdVersions)} in the API, ${prdsInDatabase.get(taskId) ?? 0} stored`);
      }
    }),
  );
  const failed = traces.filter((t) => t.error !== undefined);
  for (const trace of failed.slice(0, 5)) problems.unshift(`workflow ${trace.index + 1} (${trace.taskId ?? 'not submitted'}): ${trace.error}`);
  return { approved, exactHistory, onePrd, failedWorkflows: failed.length, problems, details };
}

export interface StepLatencies {
  /** First submit to last APPROVED, ms. */
  readonly spanMs: number;
  readonly endToEnd: Distribution;
  readonly submitToCreated: Distribution;
  readonly submitToRequestValidation: Distribution;
  readonly requestValidationToPrdValidation: Distribution;
  readonly prdValidationToReviewSeen: Distribution;
  readonly approveToApproved: Distribution;
}

const at = (history: readonly Transition[], to: string, last = false): number | undefined => {
  const found = (last ? [...history].reverse() : history).find((h) => h.to === to);
  return found ? Date.parse(found.at) : undefined;
};

/**
 * Step times, from transition times in the task history (the service's clock) and the bot's own
 * timestamps (same machine, same clock). The review step includes the bot's inbox poll interval.
 */
export function stepLatencies(traces: readonly WorkflowTrace[], details: ReadonlyMap<string, TaskDetails>): StepLatencies {
  const steps = { e2e: [] as number[], created: [] as number[], rv: [] as number[], prd: [] as number[], seen: [] as number[], approve: [] as number[] };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const trace of traces) {
    const view = trace.taskId ? details.get(trace.taskId) : undefined;
    if (!view || trace.submitAt === undefined) continue;
    const h = view.history;
    const [created, rv, lastRv, prd, approved] = [
      at(h, 'NEW'),
      at(h, 'REQUEST_VALIDATION'),
      at(h, 'REQUEST_VALIDATION', true),
      at(h, 'PRD_VALIDATION'),
      at(h, 'APPROVED'),
    ];
    first = Math.min(first, trace.submitAt);
    if (approved !== undefined) {
      last = Math.max(last, approved);
      steps.e2e.push(approved - trace.submitAt);
      if (trace.approveAt !== undefined) steps.approve.push(approved - trace.approveAt);
    }
    if (created !== undefined) steps.created.push(created - trace.submitAt);
    if (rv !== undefined) steps.rv.push(rv - trace.submitAt);
    if (lastRv !== undefined && prd !== undefined) steps.prd.push(prd - lastRv);
    if (prd !== undefined && trace.reviewSeenAt !== undefined) steps.seen.push(trace.reviewSeenAt - prd);
  }
  return {
    spanMs: last - first,
    endToEnd: distribution(steps.e2e),
    submitToCreated: distribution(steps.created),
    submitToRequestValidation: distribution(steps.rv),
    requestValidationToPrdValidation: distribution(steps.prd),
    prdValidationToReviewSeen: distribution(steps.seen),
    approveToApproved: distribution(steps.approve),
  };
}
