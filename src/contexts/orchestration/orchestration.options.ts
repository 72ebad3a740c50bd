import type { TaskStatus } from '../task-management/contracts';

export type OpenTaskStatus = Exclude<TaskStatus, 'APPROVED' | 'CANCELLED' | 'FAILED'>;

export interface OrchestrationOptions {
  /** How often the Task Scanning Service sweeps (the first sweep runs at start). */
  readonly scanIntervalMs: number;
  /** An open task's step is sent again when it was last sent this long ago (lost messages). */
  readonly redriveAfterMs: number;
  /** Asks Task Management to re-announce open tasks idle this long (lost task events). */
  readonly republishIdleMs: number;
  /**
   * How long after a task finishes the sweep keeps asking for it to be re-announced: each
   * re-announcement re-sends the terminal notification (same id), so a lost one is retried for
   * this long. Unset: DEFAULT_REPUBLISH_FINISHED_FOR_MS.
   */
  readonly republishFinishedForMs?: number;
  /** Rows locked and driven per transaction; also the republish limit. */
  readonly sweepBatchSize: number;
  /** A task in a status longer than this raises one WorkflowStalled alert per state entry. */
  readonly stalledAfterMs: Readonly<Record<OpenTaskStatus, number>>;
}

export const DEFAULT_REPUBLISH_FINISHED_FOR_MS = 600_000;

export const DEFAULT_ORCHESTRATION_OPTIONS: OrchestrationOptions = {
  scanIntervalMs: 5_000,
  redriveAfterMs: 30_000,
  republishIdleMs: 60_000,
  republishFinishedForMs: DEFAULT_REPUBLISH_FINISHED_FOR_MS,
  sweepBatchSize: 500,
  stalledAfterMs: {
    NEW: 60_000,
    REQUEST_VALIDATION: 600_000,
    CLARIFICATION_NEEDED: 259_200_000,
    PRD_VALIDATION: 259_200_000,
  },
};
