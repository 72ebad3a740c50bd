import type { BrokerObjects } from './broker-cleanup';

/** One service process (or the whole service in the bench's own process, in single mode). */
export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Its HTTP base URL: /health, /ready, /metrics, /admin/dead-letters. */
  readonly url: string;
  readonly contexts: readonly string[];
}

export interface ProcessUsage {
  readonly name: string;
  readonly pid: number;
  /** Peak resident set (VmHWM), bytes. */
  readonly peakRssBytes: number;
  /** User + system CPU time, seconds. */
  readonly cpuSeconds: number;
}

export interface StopOutcome {
  readonly name: string;
  readonly pid: number;
  /** Exit code, or the signal that ended it, or 'in-process'. */
  readonly exit: number | string;
  readonly stopMs: number;
}

/** What the bench runs the workflows against: the same view of single and split mode. */
export interface ServiceTarget {
  readonly processes: readonly ServiceProcess[];
  /** The human-interaction process: the only API the bot uses. */
  readonly apiUrl: string;
  usage(): Promise<ProcessUsage[]>;
  /** Graceful stop (SIGTERM in split mode); what the broker holds for this run, as far as known. */
  stop(): Promise<{ outcomes: StopOutcome[]; topology: BrokerObjects }>;
  /** Where the processes' logs are, for a diagnostic (split mode). */
  readonly logDirectory?: string;
}
