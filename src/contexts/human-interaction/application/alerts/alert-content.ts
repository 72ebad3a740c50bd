import { type Alert, durationText, type NoWorkerFacts } from '../../domain/alert';

/** What an alert notification says beyond its subject: one sentence, then one line per fact. */
export interface AlertDescription {
  readonly headline: string;
  readonly facts: readonly string[];
}

const when = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

function stallFacts(alert: Alert): string[] {
  if (alert.facts.kind !== 'workflow-stalled') return [];
  const f = alert.facts;
  const tried = f.redriven.length > 0 ? `sent ${f.redriven.join(', ')} again` : 'nothing';
  return [
    `State: ${alert.status ?? '?'} (task version ${alert.taskVersion ?? '?'})`,
    `In this state since ${when(f.inStatusSince)}: ${durationText(f.stalledForMs)} when the scanner noticed (its threshold: ${durationText(f.thresholdMs)})`,
    `What the scanner already tried: ${tried}`,
  ];
}

/**
 * The headline and facts of an alert notification, for the phase the notification tells. Stall:
 * the state, since when and for how long, and what the scanner sent again; moved on: where the
 * task is now, and whether someone asked for a re-drive; failed: why.
 */
export function describeAlert(alert: Alert, phase: 'raised' | 'resolved'): AlertDescription {
  if (alert.facts.kind === 'task-failed') {
    return {
      headline: 'This task failed: the workflow stopped and will not go on by itself.',
      facts: [
        `State: FAILED (task version ${alert.taskVersion ?? '?'}) since ${when(alert.facts.failedAt)}`,
        `Reason: ${alert.facts.reason ?? '(none given)'}`,
      ],
    };
  }
  if (alert.facts.kind === 'no-live-worker') return noWorkerDescription(alert, alert.facts, phase);
  if (phase === 'raised') {
    return {
      headline: `This task has stopped moving: it has been in ${alert.status ?? '?'} longer than expected. Find out why (is a process down?), then re-drive it.`,
      facts: stallFacts(alert),
    };
  }
  const resolution = alert.resolution && 'status' in alert.resolution ? alert.resolution : null;
  const stalledSince = alert.facts.inStatusSince;
  const facts = [
    `Now: ${resolution ? `${resolution.status} (task version ${resolution.taskVersion})` : 'moved on'}`,
    ...stallFacts(alert).map((line) => `Before: ${line}`),
  ];
  if (alert.redrive) facts.push(`Re-drive asked by ${alert.redrive.by} at ${when(alert.redrive.at.toISOString())}`);
  if (alert.resolvedAt) {
    facts.push(`Stalled for ${durationText(alert.resolvedAt.getTime() - Date.parse(stalledSince))} in all`);
  }
  return { headline: `This task moved on from ${alert.status ?? '?'}, where it had stalled: nothing more to do.`, facts };
}

/** No live process runs a context: which, since when, its last instance; then who runs it again. */
function noWorkerDescription(alert: Alert, f: NoWorkerFacts, phase: 'raised' | 'resolved'): AlertDescription {
  const last = f.lastInstance
    ? `Last instance: ${f.lastInstance}, last seen ${f.lastSeenAt ? when(f.lastSeenAt) : '?'}`
    : 'No instance of it has registered (since this alerting process started)';
  const before = [`Context: ${f.context}`, last, `Without a live worker for ${durationText(f.noneForMs)} when noticed (${when(f.detectedAt)})`];
  if (phase === 'raised') {
    return {
      headline: `No live process runs ${f.context}: its part of every workflow waits until one does. Start one (CONTEXTS includes ${f.context}), or find out why it stopped.`,
      facts: before,
    };
  }
  const back = alert.resolution && 'instance' in alert.resolution ? alert.resolution : null;
  const facts = [
    back ? `Now run by ${back.instance}, started ${when(back.startedAt)}` : 'Now run by a live instance',
    ...before.map((line) => `Before: ${line}`),
  ];
  if (alert.resolvedAt && f.lastSeenAt) facts.push(`Without a live worker for ${durationText(alert.resolvedAt.getTime() - Date.parse(f.lastSeenAt))} in all`);
  return { headline: `A live process runs ${f.context} again: its waiting work goes on by itself.`, facts };
}
