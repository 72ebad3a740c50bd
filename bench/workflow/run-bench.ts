import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { BenchDatabase } from './bench-database';
import { runWorkflows, type WorkflowTrace } from './bot';
import { type BrokerObjects, canListBrokerObjects, deleteBrokerObjects, remainingBrokerObjects } from './broker-cleanup';
import { startInProcessService } from './in-process-service';
import { beforeDeadline, deadLettersByProcess, type Deltas, deltas, snapshot } from './measure';
import { NotificationWatcher } from './notification-watcher';
import { OtlpReceiver } from './otlp-receiver';
import type { BenchOptions } from './options';
import { type LogProblems, logProblems, SPLIT_LAYOUT, startProcessFleet } from './process-fleet';
import { RefineryClient } from './refinery-client';
import { benchUsers, environmentWithoutServiceSettings, reportedSettings, serviceEnv } from './service-env';
import type { ProcessUsage, ServiceTarget, StopOutcome } from './service-target';
import { type StepLatencies, stepLatencies, type Verification, verifyWorkflows } from './verify';

/** How often the bot reads each person's inbox. */
const INBOX_POLL_MS = 25;

export interface BenchResult {
  readonly options: BenchOptions;
  readonly settings: Record<string, string>;
  readonly startupMs: number;
  /** 1-minute load average of the machine when the workflows started and ended (a shared machine skews figures). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly traces: readonly WorkflowTrace[];
  readonly latencies: StepLatencies;
  readonly verification: Verification;
  readonly run: Deltas;
  readonly botRequests: Record<string, number>;
  readonly usage: readonly ProcessUsage[];
  readonly deadLetters: Record<string, number>;
  readonly workItemsByProcess: Record<string, number>;
  readonly processes: ReadonlyArray<{ name: string; pid: number }>;
  readonly stops: readonly StopOutcome[];
  readonly brokerCleanup: { deleted: BrokerObjects; remaining: BrokerObjects | 'not listed (no rabbitmqctl)' };
  readonly logProblems?: Record<string, LogProblems>;
  /** With tracing on: what the bench's OTLP receiver got from every process, up to their exit. */
  readonly tracing?: {
    readonly spans: number;
    readonly bytes: number;
    readonly exportRequests: number;
    readonly rejected: number;
    readonly spansByName: ReadonlyArray<readonly [string, number]>;
  };
}

/** A run that did not finish, with where it stood (for the failure message). */
export class BenchFailed extends Error {
  constructor(
    message: string,
    readonly diagnostic: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * One bench run: a fresh database and broker prefix, the service (single or split), the bot's
 * workflows, the checks, and the clean-up, which runs whatever happened before it.
 */
export async function runBench(options: BenchOptions, tracing: boolean = options.tracing === 'on'): Promise<BenchResult> {
  const deadline = Date.now() + options.timeoutMs;
  const prefix = `refinery-bench-${randomBytes(4).toString('hex')}`;
  const users = benchUsers();
  const database = await BenchDatabase.create(options.databaseUrl);
  // Tracing on: every process exports to this receiver, as it would to a collector (batches at
  // the SDK's default 5 s delay, the rest at shutdown). It counts spans and keeps none.
  const receiver = tracing ? await OtlpReceiver.start({ keep: false }) : undefined;
  const env = serviceEnv({
    databaseUrl: database.url,
    rabbitmqUrl: options.rabbitmqUrl,
    prefix,
    users,
    linkSecret: randomBytes(32).toString('base64url'),
    overrides: { ...(receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } : {}), ...options.serviceEnv },
  });
  const traces: WorkflowTrace[] = [];
  let target: ServiceTarget | undefined;
  let topology: BrokerObjects = { queues: [], exchanges: [] };
  try {
    const startedAt = Date.now();
    // The fleet bounds its own start-up (and stops what it started when that fails).
    target =
      options.mode === 'single'
        ? await beforeDeadline(startInProcessService(env), deadline, 'start-up')
        : await startProcessFleet({ ...environmentWithoutServiceSettings(), ...env }, Math.max(10_000, deadline - Date.now()));
    const startupMs = Date.now() - startedAt;
    const client = new RefineryClient(target.apiUrl);
    const requesterInbox = new NotificationWatcher(client, users.requester.token, INBOX_POLL_MS);
    const approverInbox = new NotificationWatcher(client, users.approver.token, INBOX_POLL_MS);

    const before = await snapshot(database, target);
    const loadAtStart = loadavg()[0] ?? 0;
    requesterInbox.start();
    approverInbox.start();
    try {
      await beforeDeadline(
        runWorkflows({ client, users, requesterInbox, approverInbox }, options.workflows, options.concurrency, options.clarifyShare, traces),
        deadline,
        `${options.workflows} workflows`,
      );
    } catch (error) {
      throw new BenchFailed(error instanceof Error ? error.message : String(error), await diagnose(traces, database, target, users.admin.token));
    } finally {
      await requesterInbox.stop();
      await approverInbox.stop();
    }
    const botRequests = client.requestCounts();
    const loadAtEnd = loadavg()[0] ?? 0;
    const after = await snapshot(database, target);
    const usage = await target.usage();
    const deadLetters = await deadLettersByProcess(target, users.admin.token);
    const verification = await verifyWorkflows(client, users.requester.token, traces, await database.prdCountsByTask());
    const workItemsByProcess = await database.workItemsByProcess();
    const processes = target.processes.map(({ name, pid }) => ({ name, pid }));
    const logDirectory = target.logDirectory;
    const stopped = await target.stop();
    const stops: StopOutcome[] = stopped.outcomes;
    topology = stopped.topology;
    target = undefined;
    const deleted = await deleteBrokerObjects(options.rabbitmqUrl, prefix, topology);
    const remaining = canListBrokerObjects() ? await remainingBrokerObjects(prefix) : ('not listed (no rabbitmqctl)' as const);
    const problems = logDirectory
      ? logProblems(
          logDirectory,
          SPLIT_LAYOUT.map((p) => p.name),
        )
      : undefined;
    // Logs are worth keeping only when they hold an error; warnings are summarised in the report.
    if (logDirectory && problems && !options.keepLogs && Object.values(problems).every((p) => p.errors === 0))
      rmSync(logDirectory, { recursive: true, force: true });
    else if (logDirectory) process.stderr.write(`service logs kept in ${logDirectory}\n`);
    return {
      options,
      settings: reportedSettings(env),
      startupMs,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      traces,
      latencies: stepLatencies(traces, verification.details),
      verification,
      run: deltas(before, after),
      botRequests,
      usage,
      deadLetters,
      workItemsByProcess,
      processes,
      stops,
      brokerCleanup: { deleted, remaining },
      ...(problems ? { logProblems: problems } : {}),
      ...(receiver ? { tracing: { ...receiver.stats(), exportRequests: receiver.stats().requests, spansByName: receiver.spansByName() } } : {}),
    };
  } finally {
    // Reached with `target` still set only on failure: stop, then tidy the broker and database.
    if (target) {
      process.stderr.write(target.logDirectory ? `service logs kept in ${target.logDirectory}\n` : '');
      ({ topology } = await target.stop().catch(() => ({ outcomes: [], topology })));
      await deleteBrokerObjects(options.rabbitmqUrl, prefix, topology).catch((e: unknown) =>
        process.stderr.write(`broker clean-up failed (${String(e)}): delete the queues and exchanges named ${prefix}.* by hand\n`),
      );
    }
    await receiver?.close();
    await database.drop();
  }
}

/** Where the workflows stood when the deadline passed. */
async function diagnose(
  traces: readonly WorkflowTrace[],
  database: BenchDatabase,
  target: ServiceTarget,
  adminToken: string,
): Promise<Record<string, unknown>> {
  const stage = (t: WorkflowTrace) =>
    t.error ? 'failed' : t.approvedSeenAt ? 'approved' : t.approveAt ? 'approve-sent' : t.reviewSeenAt ? 'review-seen' : t.taskId ? 'submitted' : 'submitting';
  const stages: Record<string, number> = {};
  for (const trace of traces) stages[stage(trace)] = (stages[stage(trace)] ?? 0) + 1;
  const safely = <T>(work: Promise<T>) => work.catch((e: unknown) => `unavailable: ${e instanceof Error ? e.message : String(e)}`);
  return {
    workflowStages: stages,
    firstErrors: traces
      .filter((t) => t.error)
      .slice(0, 5)
      .map((t) => `${t.taskId ?? '-'}: ${t.error}`),
    stuckTasks: traces
      .filter((t) => t.taskId && !t.approvedSeenAt)
      .slice(0, 5)
      .map((t) => t.taskId),
    unsentOutboxRows: await safely(database.unsentOutboxRows()),
    workItems: await safely(database.workItemsByStatus()),
    deadLetters: await safely(deadLettersByProcess(target, adminToken)),
    ...(target.logDirectory
      ? {
          logs: target.logDirectory,
          logProblems: logProblems(
            target.logDirectory,
            SPLIT_LAYOUT.map((p) => p.name),
          ),
        }
      : {}),
  };
}
