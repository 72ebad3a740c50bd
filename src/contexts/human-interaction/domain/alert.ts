import type { NotificationKind } from '../contracts';
import type { TaskStatus } from '../../task-management/contracts';
import type { LinkAction } from './action-link';

/**
 * Alerts tell the people configured for them (ALERT_RECIPIENTS, every admin by default) that
 * something needs a person: a task stalled in a state, a task that failed. An alert is one
 * *episode*: raised once (whatever repeats the cause), resolved at most once (when what it is
 * about moved on), each told to every recipient once.
 *
 * A kind says what its episodes are about (`subject`: a task id for a stalled or failed task; a
 * context name for "no live worker runs this context"), which notification each phase sends and
 * which links the raised one carries. A new kind adds an entry here, its facts to `AlertFacts`,
 * and the code that raises (and resolves) it; the alert tables, the recipients and the delivery
 * path stay as they are. A notification of an alert about no task names none (its task id is
 * null) and points at the workers page instead.
 */
export const ALERT_KINDS = ['workflow-stalled', 'task-failed', 'no-live-worker'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertPhase = 'raised' | 'resolved';

export interface AlertKindSpec {
  /** The notification that raises it. */
  readonly raised: NotificationKind;
  /** The notification that says it is over; null for a kind that never resolves (a failed task stays failed). */
  readonly resolved: NotificationKind | null;
  /** The signed links on the raised notification (each recipient's own, single use). */
  readonly actions: readonly LinkAction[];
}

export const ALERT_KIND_SPECS: Readonly<Record<AlertKind, AlertKindSpec>> = {
  'workflow-stalled': { raised: 'alert-stalled', resolved: 'alert-moved-on', actions: ['redrive'] },
  'task-failed': { raised: 'alert-task-failed', resolved: null, actions: [] },
  'no-live-worker': { raised: 'alert-no-worker', resolved: 'alert-worker-back', actions: [] },
};

const ALERT_NOTIFICATION_KINDS: ReadonlySet<string> = new Set(
  Object.values(ALERT_KIND_SPECS).flatMap((spec) => [spec.raised, ...(spec.resolved ? [spec.resolved] : [])]),
);

export function isAlertNotification(kind: string): boolean {
  return ALERT_NOTIFICATION_KINDS.has(kind);
}

/** The links a notification of this kind carries, if it is an alert's. */
export function alertActionsFor(kind: string): readonly LinkAction[] {
  return Object.values(ALERT_KIND_SPECS).find((spec) => spec.raised === kind)?.actions ?? [];
}

/** What the stall detector said: the state, since when, the threshold, and what it already sent again. */
export interface StallFacts {
  readonly kind: 'workflow-stalled';
  readonly inStatusSince: string;
  readonly thresholdMs: number;
  readonly stalledForMs: number;
  readonly detectedAt: string;
  /** Message types the scanner sent again with the alert. */
  readonly redriven: readonly string[];
}

export interface FailedFacts {
  readonly kind: 'task-failed';
  /** Why, as the failing transition says; null when it gives no reason. */
  readonly reason: string | null;
  readonly failedAt: string;
}

/** A context no live process runs (by the worker registry), and since when. */
export interface NoWorkerFacts {
  readonly kind: 'no-live-worker';
  readonly context: string;
  /** The last sign of life of the context's last instance (its last heartbeat or when it was marked gone); null when none was registered. */
  readonly lastSeenAt: string | null;
  /** That instance, `<host>/<pid>`; null when none was registered. */
  readonly lastInstance: string | null;
  /** How long it had had no live worker when the alert was raised. */
  readonly noneForMs: number;
  readonly detectedAt: string;
}

export type AlertFacts = StallFacts | FailedFacts | NoWorkerFacts;

/** Where the task stood when an alert about it was resolved. */
export interface TaskResolution {
  readonly status: TaskStatus;
  readonly taskVersion: number;
}

/** The live instance that runs the context again. */
export interface WorkerResolution {
  readonly instance: string;
  readonly startedAt: string;
}

export type AlertResolution = TaskResolution | WorkerResolution;

export interface Alert {
  /** Derived from kind, subject and episode (see `alertId`): raising it again finds this row. */
  readonly id: string;
  readonly kind: AlertKind;
  /** What it is about: a task id here. */
  readonly subject: string;
  /** The task and the state entry, for an alert about a task. */
  readonly taskId: string | null;
  readonly taskVersion: number | null;
  readonly status: TaskStatus | null;
  readonly facts: AlertFacts;
  readonly raisedAt: Date;
  readonly resolvedAt: Date | null;
  readonly resolution: AlertResolution | null;
  /** Who asked for a re-drive from the alert, and when: once per episode. */
  readonly redrive: { readonly at: Date; readonly by: string } | null;
}

/** "1 h 5 min", "2 min 30 s", "850 ms": how long, for a person. */
export function durationText(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || parts.length > 0) parts.push(`${count} ${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.filter((part) => !part.startsWith('0 ')).join(' ');
}
