import { InvalidArgumentError } from 'commander';
import type { ApiClient, TaskSummaryView } from './api-client';
import type { CliIo } from './cli-io';
import { CliError, EXIT } from './exit-codes';
import { printable } from './terminal-text';

export const TASK_STATUSES = ['NEW', 'REQUEST_VALIDATION', 'CLARIFICATION_NEEDED', 'PRD_VALIDATION', 'APPROVED', 'CANCELLED', 'FAILED'] as const;
const TERMINAL = new Set<string>(['APPROVED', 'CANCELLED', 'FAILED']);
export const ANY_CHANGE = 'any-change';

export interface WaitFlags {
  readonly wait?: string;
  readonly waitTimeout: number;
  readonly pollInterval: number;
}

/** A status name (any case) or `any-change`; anything else is a usage error before a request is sent. */
export function waitTarget(value: string): string {
  const wanted = value.trim();
  if (wanted.toLowerCase() === ANY_CHANGE) return ANY_CHANGE;
  const status = wanted.toUpperCase();
  if (!(TASK_STATUSES as readonly string[]).includes(status)) throw new InvalidArgumentError(`expected one of ${TASK_STATUSES.join(', ')} or ${ANY_CHANGE}`);
  return status;
}

const shortId = (taskId: string) => (taskId.length > 12 ? `${taskId.slice(0, 8)}…` : taskId);
const seconds = (ms: number) => `${Math.floor(ms / 1_000)}s`;
export const describeTask = (task: Pick<TaskSummaryView, 'taskId' | 'status' | 'version'>) =>
  `task ${printable(task.taskId)} is ${printable(task.status)} (v${task.version})`;

export interface WaitRequest {
  readonly taskId: string;
  readonly target: string;
  /**
   * The task version the action was taken against: only a later version counts, so
   * `reject --wait PRD_VALIDATION` waits for the next PRD, not the one just rejected.
   */
  readonly after?: number;
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/**
 * Polls GET /api/tasks/:id until the task reaches the target, ends in a terminal state it can
 * never leave, or the time is up (both exit 5). The progress line goes to stderr: rewritten in
 * place on a terminal, one line per change otherwise (a log stays readable).
 */
export async function waitForTask(client: ApiClient, io: CliIo, request: WaitRequest): Promise<TaskSummaryView> {
  const started = Date.now();
  const label = request.target === ANY_CHANGE ? 'a change' : request.target;
  let lastShown = '';
  const progress = (task: TaskSummaryView) => {
    const state = `waiting for ${label}: task ${shortId(printable(task.taskId))} is ${printable(task.status)} (v${task.version})`;
    if (io.stderrIsTty) io.stderr(`\r${state}, ${seconds(Date.now() - started)}\x1b[K`);
    else if (state !== lastShown) io.stderr(`${state}, ${seconds(Date.now() - started)}\n`);
    lastShown = state;
  };
  const endLine = () => {
    if (io.stderrIsTty && lastShown) io.stderr('\n');
  };

  for (;;) {
    const { task } = (await client.task(request.taskId)).details;
    const moved = request.after === undefined || task.version > request.after;
    if (moved && (request.target === ANY_CHANGE || task.status === request.target)) {
      endLine();
      return task;
    }
    if (TERMINAL.has(task.status)) {
      endLine();
      throw new CliError(EXIT.waitEnded, `${describeTask(task)}: it ended there and will never be ${request.target}`);
    }
    progress(task);
    const elapsed = Date.now() - started;
    if (elapsed >= request.timeoutMs) {
      endLine();
      // The limit that was set, not the measured time: a slow poll near the end must not read as another limit.
      throw new CliError(EXIT.waitEnded, `gave up waiting for ${label} after ${seconds(request.timeoutMs)} (--wait-timeout): ${describeTask(task)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(request.intervalMs, request.timeoutMs - elapsed)));
  }
}
