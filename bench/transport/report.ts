import type { CpuSpent } from './cpu';
import type { RunResult } from './drivers';

const fmt = (value: number, places = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });

/** One human-readable line per run; an incomplete run says how far it got. */
export function describeRun(label: string, run: RunResult, cpu: CpuSpent): string {
  const done = run.complete ? '' : ` INCOMPLETE: ${fmt(run.handled)} of ${fmt(run.sent)} handled before the deadline;`;
  const { p50Ms, p99Ms, maxMs } = run.latency;
  return (
    `${label.padEnd(34)} ${fmt(run.handled)} msgs in ${fmt(run.seconds, 2)} s:${done} ${fmt(run.messagesPerSecond)} msg/s ` +
    `(confirmed ${fmt(run.confirmedPerSecond)}/s); publish-to-handle p50 ${fmt(p50Ms, 2)} ms, p99 ${fmt(p99Ms, 2)} ms, max ${fmt(maxMs, 2)} ms; ` +
    `CPU/msg bench ${fmt(cpu.benchUsPerMessage)} us, broker ${cpu.brokerUsPerMessage === null ? 'n/a' : `${fmt(cpu.brokerUsPerMessage)} us`}`
  );
}
