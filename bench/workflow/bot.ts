import type { NotificationWatcher } from './notification-watcher';
import { HttpStatusError, type RefineryClient } from './refinery-client';
import type { BenchUsers } from './service-env';

/**
 * A request the product-manager agent finds complete (problem, audience, outcome, acceptance
 * criteria, constraints): it writes a PRD without asking anything. The same text as
 * COMPLETE_ANSWER in test/support/refinement-scenario.ts, which the bench cannot import (jest).
 */
export const COMPLETE_REQUEST =
  'Problem: support leads cannot see backlog trends, so SLA breaches surprise them. For: support team leads. ' +
  'Outcome: a rising backlog is spotted within a day so that SLAs hold. Acceptance criteria: the dashboard must show open tickets ' +
  'per day for 30 days and should highlight days above the SLA threshold. Constraints: must load in under 2 seconds.';

/** Vague on purpose: the agent asks questions, answered with COMPLETE_REQUEST. */
const VAGUE_REQUEST = 'Make the dashboard better.';

/** What the bot saw of one workflow, on its own clock (epoch ms). */
export interface WorkflowTrace {
  readonly index: number;
  readonly clarified: boolean;
  taskId?: string;
  submitAt?: number;
  answeredAt?: number;
  reviewSeenAt?: number;
  approveAt?: number;
  approvedSeenAt?: number;
  /** Answer or approve calls refused with 409 because the person's task view had not caught up yet. */
  conflicts: number;
  error?: string;
}

export interface BotDeps {
  readonly client: RefineryClient;
  readonly users: BenchUsers;
  readonly requesterInbox: NotificationWatcher;
  readonly approverInbox: NotificationWatcher;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `count` workflows, at most `concurrency` at once; resolves when each ended (done or failed). */
export async function runWorkflows(deps: BotDeps, count: number, concurrency: number, clarifyShare: number, traces: WorkflowTrace[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      // Spreads the clarified ones evenly instead of bunching them at the start.
      const clarified = Math.floor((index + 1) * clarifyShare) > Math.floor(index * clarifyShare);
      const trace: WorkflowTrace = { index, clarified, conflicts: 0 };
      traces.push(trace);
      try {
        await runOne(deps, trace);
      } catch (error) {
        trace.error = error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function runOne({ client, users, requesterInbox, approverInbox }: BotDeps, trace: WorkflowTrace): Promise<void> {
  trace.submitAt = Date.now();
  const taskId = await client.submit(users.requester.token, `Backlog trend dashboard #${trace.index + 1}`, trace.clarified ? VAGUE_REQUEST : COMPLETE_REQUEST);
  trace.taskId = taskId;
  if (trace.clarified) {
    const asked = await requesterInbox.waitFor(taskId, 'clarification-requested');
    const answers = (asked.questions ?? []).map((question) => ({ question, answer: COMPLETE_REQUEST }));
    await whileViewBehind(trace, () => client.answer(users.requester.token, taskId, answers));
    trace.answeredAt = Date.now();
  }
  const review = await approverInbox.waitFor(taskId, 'prd-ready-for-review');
  trace.reviewSeenAt = Date.now();
  if (typeof review.prdVersion !== 'number') throw new Error(`prd-ready-for-review for ${taskId} carries no prdVersion`);
  const prdVersion = review.prdVersion;
  await whileViewBehind(trace, async () => {
    // The accepted attempt's start: approve -> APPROVED is measured from the click that counted.
    trace.approveAt = Date.now();
    await client.approve(users.approver.token, taskId, prdVersion);
  });
  await requesterInbox.waitFor(taskId, 'task-approved');
  trace.approvedSeenAt = Date.now();
}

/**
 * The notification comes from orchestration, the person's task view from human interaction's own
 * copy of the task: the view may still be a version behind, which the API answers with 409 (see
 * the README's findings). A person would click again; so does the bot, backing off, for a while.
 */
const VIEW_PATIENCE_MS = 30_000;

async function whileViewBehind(trace: WorkflowTrace, action: () => Promise<void>): Promise<void> {
  const giveUpAt = Date.now() + VIEW_PATIENCE_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await action();
      return;
    } catch (error) {
      if (!(error instanceof HttpStatusError && error.status === 409) || Date.now() >= giveUpAt) throw error;
      trace.conflicts += 1;
      await sleep(Math.min(250, 20 * attempt));
    }
  }
}
