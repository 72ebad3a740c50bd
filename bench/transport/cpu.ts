import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSpent {
  /** CPU time of this process (publisher and consumer both live here). */
  readonly benchCpuSeconds: number;
  /** CPU time of the local broker (beam.smp), when it runs on this machine and /proc shows it. */
  readonly brokerCpuSeconds: number | null;
  /** Microseconds of CPU per message handled, on each side: where the time goes. */
  readonly benchUsPerMessage: number;
  readonly brokerUsPerMessage: number | null;
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

function findBroker(): string | undefined {
  try {
    return readdirSync('/proc').find((entry) => /^\d+$/.test(entry) && readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'beam.smp');
  } catch {
    return undefined;
  }
}

const brokerPid = findBroker();

function brokerSeconds(): number | null {
  if (brokerPid === undefined) return null;
  try {
    // The command name in parentheses may hold spaces; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${brokerPid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * CPU spent by this process and by the broker during one run. On two shared cores the broker and
 * the client compete for the same CPU, so throughput follows the sum of both per message.
 */
export function startCpuMeter(): { stop(messages: number): CpuSpent } {
  const bench = process.cpuUsage();
  const broker = brokerSeconds();
  return {
    stop(messages) {
      const used = process.cpuUsage(bench);
      const benchCpuSeconds = (used.user + used.system) / 1e6;
      const brokerNow = brokerSeconds();
      const brokerCpuSeconds = broker === null || brokerNow === null ? null : brokerNow - broker;
      const per = (seconds: number): number => Math.round((seconds * 1e6) / Math.max(1, messages));
      return {
        benchCpuSeconds: Math.round(benchCpuSeconds * 100) / 100,
        brokerCpuSeconds: brokerCpuSeconds === null ? null : Math.round(brokerCpuSeconds * 100) / 100,
        benchUsPerMessage: per(benchCpuSeconds),
        brokerUsPerMessage: brokerCpuSeconds === null ? null : per(brokerCpuSeconds),
      };
    },
  };
}
