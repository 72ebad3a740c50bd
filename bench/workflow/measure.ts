import type { BenchDatabase, TransactionCounts } from './bench-database';
import { cpuSeconds } from './proc-status';
import { type MessagingCounters, parseMessagingCounters, sumCounters } from './prometheus';
import { RefineryClient } from './refinery-client';
import type { ServiceTarget } from './service-target';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** PostgreSQL 15 backends report their counters when idle, at most once a second: give them that. */
const STATS_SETTLE_MS = 1_500;

export interface Snapshot {
  readonly at: number;
  /** CPU seconds so far of each PostgreSQL backend serving the bench database. */
  readonly backendCpu: ReadonlyMap<number, number>;
  readonly transactions: TransactionCounts;
  readonly outbox: Record<string, number>;
  readonly messaging: MessagingCounters;
}

/** Counters at one moment: database commits, outbox rows by type, every process's /metrics. */
export async function snapshot(database: BenchDatabase, target: ServiceTarget): Promise<Snapshot> {
  await sleep(STATS_SETTLE_MS);
  const metrics = await Promise.all(target.processes.map(async (p) => parseMessagingCounters(await new RefineryClient(p.url).metrics())));
  const backendCpu = new Map((await database.backendPids()).map((pid) => [pid, cpuSeconds(pid) ?? 0]));
  return { at: Date.now(), backendCpu, transactions: await database.transactions(), outbox: await database.outboxByType(), messaging: sumCounters(metrics) };
}

export interface Deltas {
  readonly seconds: number;
  readonly commits: number;
  readonly rollbacks: number;
  readonly outboxByType: Record<string, number>;
  readonly outboxRows: number;
  readonly published: number;
  readonly handled: number;
  readonly handlerFailures: number;
  readonly retries: number;
  readonly deadLettered: number;
  readonly failuresByConsumer: Record<string, number>;
  readonly handledBy: Record<string, number>;
  /** Mean time a handler took, and a publish until confirmed, during the run (ms). */
  readonly meanHandleMs: number;
  readonly meanPublishMs: number;
  /** CPU the PostgreSQL backends of the bench database used during the run (s). */
  readonly databaseCpuSeconds: number;
}

const diff = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).flatMap(([k, v]) => (v === (before[k] ?? 0) ? [] : [[k, v - (before[k] ?? 0)] as const])));

export function deltas(before: Snapshot, after: Snapshot): Deltas {
  const outboxByType = diff(after.outbox, before.outbox);
  return {
    seconds: (after.at - before.at) / 1000,
    commits: after.transactions.commits - before.transactions.commits,
    rollbacks: after.transactions.rollbacks - before.transactions.rollbacks,
    outboxByType,
    outboxRows: Object.values(outboxByType).reduce((a, b) => a + b, 0),
    published: after.messaging.published - before.messaging.published,
    handled: after.messaging.handled - before.messaging.handled,
    handlerFailures: after.messaging.handlerFailures - before.messaging.handlerFailures,
    retries: after.messaging.retries - before.messaging.retries,
    deadLettered: after.messaging.deadLettered - before.messaging.deadLettered,
    failuresByConsumer: diff(after.messaging.failuresByConsumer, before.messaging.failuresByConsumer),
    handledBy: diff(after.messaging.handledBy, before.messaging.handledBy),
    // Failed attempts are in the handler time too; there are normally none.
    meanHandleMs:
      (1000 * (after.messaging.handleSeconds - before.messaging.handleSeconds)) /
      Math.max(1, after.messaging.handled - before.messaging.handled + after.messaging.handlerFailures - before.messaging.handlerFailures),
    databaseCpuSeconds: [...after.backendCpu].reduce((sum, [pid, cpu]) => sum + cpu - (before.backendCpu.get(pid) ?? 0), 0),
    meanPublishMs:
      (1000 * (after.messaging.publishSeconds - before.messaging.publishSeconds)) / Math.max(1, after.messaging.published - before.messaging.published),
  };
}

/** Dead letters held for the consumers of each process (each lists those it subscribed). */
export async function deadLettersByProcess(target: ServiceTarget, adminToken: string): Promise<Record<string, number>> {
  const entries = await Promise.all(target.processes.map(async (p) => [p.name, await new RefineryClient(p.url).deadLetterCount(adminToken)] as const));
  return Object.fromEntries(entries);
}

export class DeadlineExceeded extends Error {}

/** `work`, or a DeadlineExceeded at `deadline` (epoch ms): the bench stops by itself. */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${what} did not finish before the deadline`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
