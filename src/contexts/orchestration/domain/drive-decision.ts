import { WorkflowStalled } from '../contracts';
import { RepublishOpenTasks, type TaskStatus } from '../../task-management/contracts';
import { message } from '../../../shared/messaging/contract-registry';
import { deterministicId, type OutgoingMessage } from '../../../shared/messaging/envelope';
import type { OrchestrationOptions } from '../orchestration.options';
import { nextStep } from './next-step';
import { isTerminal, type TaskProjection } from './task-projection';

/** Statuses whose step orchestration itself sends, so a lost step is worth sending again. */
export const REDRIVEN_STATUSES: readonly TaskStatus[] = ['NEW', 'CLARIFICATION_NEEDED', 'PRD_VALIDATION'];

export type DrivingOptions = Pick<OrchestrationOptions, 'redriveAfterMs' | 'stalledAfterMs'>;

export interface Stall {
  readonly thresholdMs: number;
  readonly stalledForMs: number;
  readonly alert: OutgoingMessage;
}

export interface DriveDecision {
  /** The step command, or null when the task's step belongs to another context. */
  readonly step: OutgoingMessage | null;
  readonly stall: Stall | null;
  /** The bookkeeping to store with the projection once the messages are in the outbox. */
  readonly drivenVersion: number;
  readonly drivenAt: Date;
  readonly alertedVersion: number;
}

export function stallThreshold(status: TaskStatus, options: DrivingOptions): number | undefined {
  return isTerminal(status) ? undefined : options.stalledAfterMs[status as keyof DrivingOptions['stalledAfterMs']];
}

/**
 * What a task is owed at `now`, or null when nothing is due. A new version is driven at once; an
 * open task's step is sent again after `redriveAfterMs` (same ids, so only a lost one has an
 * effect); a terminal task is driven once and never again. A task stuck in a status beyond its
 * threshold raises one alert per state entry, and its step is sent again with it.
 */
export function decideDrive(task: TaskProjection, now: Date, options: DrivingOptions): DriveDecision | null {
  const step = nextStep(task);
  const unseenVersion = task.drivenVersion < task.version;
  const redriveDue = REDRIVEN_STATUSES.includes(task.status) && (task.drivenAt === null || now.getTime() - task.drivenAt.getTime() >= options.redriveAfterMs);
  const threshold = stallThreshold(task.status, options);
  const stalledForMs = now.getTime() - task.statusSince.getTime();
  const stalled = threshold !== undefined && stalledForMs > threshold && task.alertedVersion < task.version;
  if (!unseenVersion && !redriveDue && !stalled) return null;

  return {
    step,
    stall: stalled ? { thresholdMs: threshold, stalledForMs, alert: stalledAlert(task, step, threshold, now) } : null,
    drivenVersion: task.version,
    drivenAt: now,
    alertedVersion: stalled ? task.version : task.alertedVersion,
  };
}

function stalledAlert(task: TaskProjection, step: OutgoingMessage | null, thresholdMs: number, now: Date): OutgoingMessage {
  // Without a step of its own (REQUEST_VALIDATION), the sweep's republish is what re-drives it:
  // product definition gets the snapshot again and re-sends the outcome it owes.
  const redriven = step ? [step.type] : [RepublishOpenTasks.type];
  return message(
    WorkflowStalled,
    task.taskId,
    {
      taskId: task.taskId,
      status: task.status,
      taskVersion: task.version,
      inStatusSince: task.statusSince.toISOString(),
      thresholdMs,
      detectedAt: now.toISOString(),
      redriven,
    },
    deterministicId('workflow-stalled', task.taskId, task.version),
  );
}
