import { z } from 'zod';
import type { TaskStatus } from '../task-management/contracts';

export type OpenTaskStatus = Exclude<TaskStatus, 'APPROVED' | 'CANCELLED' | 'FAILED'>;

const ms = (fallback: number, min = 1) => z.number().int().min(min).default(fallback);
const DAY = 24 * 3_600_000;

export const orchestrationOptionsSchema = z.object({
  /** How often the Task Scanning Service sweeps (the first sweep runs at start). */
  scanIntervalMs: ms(5_000),
  /** An open task's step is sent again when it was last sent this long ago (lost messages). */
  redriveAfterMs: ms(30_000, 0),
  /** Asks Task Management to re-announce open tasks idle this long (lost task events). */
  republishIdleMs: ms(60_000),
  /**
   * How long after a task finishes the sweep keeps asking for it to be re-announced: each
   * re-announcement re-sends the terminal notification (same id), so a lost one is retried for
   * this long.
   */
  republishFinishedForMs: ms(600_000, 0),
  /** Rows locked and driven per transaction; also the republish limit. */
  sweepBatchSize: ms(500),
  /** A task in a status longer than this raises one WorkflowStalled alert per state entry. */
  stalledAfterMs: z
    .object({
      NEW: ms(60_000),
      REQUEST_VALIDATION: ms(600_000),
      CLARIFICATION_NEEDED: ms(3 * DAY),
      PRD_VALIDATION: ms(3 * DAY),
    } satisfies Record<OpenTaskStatus, unknown>)
    .prefault({}),
});

/** The options as the context uses them, every default applied. */
export type OrchestrationOptions = z.output<typeof orchestrationOptionsSchema>;
/** What `orchestrationModule` takes: any option left out gets its default. */
export type OrchestrationOptionsInput = z.input<typeof orchestrationOptionsSchema>;

export function orchestrationOptions(input: OrchestrationOptionsInput = {}): OrchestrationOptions {
  return orchestrationOptionsSchema.parse(input);
}

export const DEFAULT_ORCHESTRATION_OPTIONS: OrchestrationOptions = orchestrationOptions();
