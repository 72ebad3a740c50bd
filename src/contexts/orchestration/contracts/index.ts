import { z } from 'zod';
import { storedText } from '../../../shared/kernel/text';
import { defineContract } from '../../../shared/messaging/contract-registry';
import { deterministicId } from '../../../shared/messaging/envelope';

/**
 * The published language of Orchestration: alerts about workflows that stopped moving, and the
 * one command it accepts, an operator's "re-drive now".
 */

export const WorkflowStalled = defineContract(
  'orchestration.workflow-stalled.v1',
  'event',
  z.object({
    taskId: storedText().min(1),
    status: storedText().min(1),
    taskVersion: z.number().int().positive(),
    inStatusSince: z.iso.datetime({ offset: true }),
    thresholdMs: z.number().int().positive(),
    detectedAt: z.iso.datetime({ offset: true }),
    /** What the detector sent again to move the workflow on. */
    redriven: z.array(storedText()),
  }),
);

/**
 * Send again what the task is owed at `taskVersion`, now, as the scanner's re-drive does: the
 * step with its original id, or (REQUEST_VALIDATION, whose step belongs to product definition) a
 * re-announcement of the task. Nothing happens once the task has moved past that version. The
 * sender derives the message id from the task and version (`redriveTaskId`), so asking twice for
 * one stall is one effect.
 */
export const RedriveTask = defineContract(
  'orchestration.redrive-task.v1',
  'command',
  z.object({
    taskId: storedText().min(1).max(200),
    taskVersion: z.number().int().positive(),
    /** Who asked (`user:<id>`), for the log line. */
    requestedBy: storedText().min(1).max(200),
  }),
);

/** The message id of a re-drive of `taskId` at `taskVersion`: one per stalled state entry. */
export function redriveTaskId(taskId: string, taskVersion: number): string {
  return deterministicId('redrive-task', taskId, taskVersion);
}

export const orchestrationContracts = [WorkflowStalled, RedriveTask] as const;
