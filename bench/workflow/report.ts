import { cpus } from 'node:os';
import type { BenchResult } from './run-bench';
import { type Distribution, mib, round } from './stats';

/** The throughput issue #3 asks of the whole workflow. */
export const TARGET_WORKFLOWS_PER_SECOND = 50;

const ms = (d: Distribution) => `p50 ${Math.round(d.p50)} ms, p95 ${Math.round(d.p95)} ms, max ${Math.round(d.max)} ms`;

/** "consumer type" counts summed per consumer. */
function byConsumer(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, count] of Object.entries(counts)) {
    const consumer = key.split(' ')[0] ?? key;
    out[consumer] = (out[consumer] ?? 0) + count;
  }
  return out;
}

export interface Summary {
  readonly ok: boolean;
  readonly failures: string[];
  readonly json: Record<string, unknown>;
  readonly lines: string[];
}

/** Checks that make a run count, then the figures as human lines and as one JSON object. */
export function summarise(r: BenchResult): Summary {
  const n = r.options.workflows;
  const v = r.verification;
  const workflowsPerSecond = n / (r.latencies.spanMs / 1000);
  const deadLetters = Object.values(r.deadLetters).reduce((a, b) => a + b, 0);
  const remaining = r.brokerCleanup.remaining;
  const leftOnBroker = typeof remaining === 'string' ? 0 : remaining.queues.length + remaining.exchanges.length;
  const failures = [
    ...(v.approved !== n ? [`${v.approved}/${n} tasks APPROVED`] : []),
    ...(v.exactHistory !== n ? [`${v.exactHistory}/${n} tasks with the exact history`] : []),
    ...(v.onePrd !== n ? [`${v.onePrd}/${n} tasks with exactly one PRD`] : []),
    ...(v.failedWorkflows > 0 ? [`${v.failedWorkflows} workflows failed in the bot`] : []),
    ...(deadLetters > 0 || r.run.deadLettered > 0 ? [`dead letters: ${JSON.stringify(r.deadLetters)} (counted during the run: ${r.run.deadLettered})`] : []),
    ...r.stops.filter((s) => s.exit !== 0 && s.exit !== 'in-process').map((s) => `${s.name} exited with ${s.exit}`),
    ...(leftOnBroker > 0 ? [`left on the broker: ${JSON.stringify(remaining)}`] : []),
    ...(r.tracing && (r.tracing.spans === 0 || r.tracing.rejected > 0)
      ? [`tracing on, but the receiver got ${r.tracing.spans} spans (${r.tracing.rejected} exports refused)`]
      : []),
  ];
  const pidName = new Map(r.processes.map((p) => [String(p.pid), p.name]));
  const workItems = Object.fromEntries(Object.entries(r.workItemsByProcess).map(([pid, count]) => [pidName.get(pid) ?? `pid ${pid}`, count]));
  const serviceCpu = r.usage.reduce((sum, u) => sum + u.cpuSeconds, 0);
  const inboxReads = r.botRequests['notifications'] ?? 0;
  const l = r.latencies;
  const lines = [
    `workflow bench, mode ${r.options.mode}: ${n} workflows, concurrency ${r.options.concurrency}, clarification share ${r.options.clarifyShare}; processes: ${r.processes.map((p) => p.name).join(', ')}`,
    `settings: ${Object.entries(r.settings)
      .map(([k, val]) => `${k}=${val}`)
      .join(' ')}; start-up ${r.startupMs} ms; load average ${round(r.loadAverage.start, 2)} -> ${round(r.loadAverage.end, 2)} on ${cpus().length} CPUs`,
    `throughput: ${round(workflowsPerSecond)} workflows/s (${n} in ${round(l.spanMs / 1000, 2)} s, first submit to last APPROVED); target ${TARGET_WORKFLOWS_PER_SECOND}: ${workflowsPerSecond >= TARGET_WORKFLOWS_PER_SECOND ? 'met' : 'NOT met'}`,
    `end to end (submit -> APPROVED): ${ms(l.endToEnd)}`,
    `  submit -> NEW                  ${ms(l.submitToCreated)}`,
    `  submit -> REQUEST_VALIDATION   ${ms(l.submitToRequestValidation)}`,
    `  REQUEST_VALIDATION -> PRD_VALIDATION ${ms(l.requestValidationToPrdValidation)}`,
    `  PRD_VALIDATION -> bot sees review notification ${ms(l.prdValidationToReviewSeen)}`,
    `  approve -> APPROVED            ${ms(l.approveToApproved)}`,
    `messages: ${round(r.run.outboxRows / n, 2)} published per workflow (${r.run.outboxRows} outbox rows: ${JSON.stringify(r.run.outboxByType)}); ${round(r.run.handled / n, 2)} deliveries handled per workflow`,
    `deliveries by consumer: ${JSON.stringify(byConsumer(r.run.handledBy))}; mean handler time ${round(r.run.meanHandleMs)} ms, mean publish-until-confirmed ${round(r.run.meanPublishMs)} ms`,
    `handler failures ${r.run.handlerFailures} (retried ${r.run.retries}) ${JSON.stringify(r.run.failuresByConsumer)}; answer/approve clicks refused with 409 (the person's task view behind the notification): ${r.traces.reduce((a, t) => a + t.conflicts, 0)} on ${r.traces.filter((t) => t.conflicts > 0).length} tasks`,
    `database: ${round(r.run.commits / n, 2)} commits per workflow (${r.run.commits} in ${round(r.run.seconds, 1)} s incl. idle loops and the bot's ${inboxReads} inbox reads; ${r.run.rollbacks} rollbacks)`,
    `CPU per workflow: service process(es) ${round((1000 * serviceCpu) / n, 1)} ms${r.options.mode === 'single' ? ' (with the bot)' : ''}, PostgreSQL backends ${round((1000 * r.run.databaseCpuSeconds) / n, 1)} ms`,
    ...r.usage.map(
      (u) =>
        `process ${u.name} (pid ${u.pid}): peak RSS ${mib(u.peakRssBytes)} MiB, CPU ${round(u.cpuSeconds, 1)} s (${Math.round((100 * u.cpuSeconds) / r.run.seconds)}% of the run)`,
    ),
    `checks: ${v.approved}/${n} APPROVED, ${v.exactHistory}/${n} exact history, ${v.onePrd}/${n} one PRD, ${v.failedWorkflows} failed in the bot, dead letters ${JSON.stringify(r.deadLetters)}`,
    `work items done by process: ${JSON.stringify(workItems)}`,
    `stop: ${r.stops.map((s) => `${s.name} ${s.exit} in ${s.stopMs} ms`).join(', ')}`,
    `broker: deleted ${r.brokerCleanup.deleted.queues.length} queues and ${r.brokerCleanup.deleted.exchanges.length} exchanges; left: ${typeof remaining === 'string' ? remaining : leftOnBroker}`,
    ...(r.logProblems
      ? [
          `log warnings/errors by process and message: ${JSON.stringify(
            Object.fromEntries(
              Object.entries(r.logProblems)
                .filter(([, p]) => p.count > 0)
                .map(([k, p]) => [k, p.byMessage]),
            ),
          )}`,
        ]
      : []),
    ...(r.tracing
      ? [
          `tracing: on (OTEL_TRACES_SAMPLER ${r.options.serviceEnv['OTEL_TRACES_SAMPLER'] ?? 'parentbased_always_on'} ${r.options.serviceEnv['OTEL_TRACES_SAMPLER_ARG'] ?? ''}, instrumentations disabled: ${r.options.serviceEnv['OTEL_NODE_DISABLED_INSTRUMENTATIONS'] ?? 'none'}); the OTLP receiver got ${r.tracing.spans} spans (${round(r.tracing.spans / n, 1)} per workflow, ${round(r.tracing.bytes / 1024 / n, 1)} KiB of JSON per workflow) in ${r.tracing.exportRequests} exports`,
          `spans per workflow by name (top 15): ${r.tracing.spansByName
            .slice(0, 15)
            .map(([name, count]) => `${name} ${round(count / n, 1)}`)
            .join(', ')}`,
        ]
      : [`tracing: off`]),
    ...v.problems.slice(0, 10).map((p) => `problem: ${p}`),
    failures.length === 0 ? 'RESULT: ok' : `RESULT: FAILED: ${failures.join('; ')}`,
  ];
  const json = {
    bench: 'workflow',
    mode: r.options.mode,
    workflows: n,
    concurrency: r.options.concurrency,
    clarifyShare: r.options.clarifyShare,
    settings: r.settings,
    loadAverage: r.loadAverage,
    cpus: cpus().length,
    workflowsPerSecond: round(workflowsPerSecond, 2),
    meetsTarget: workflowsPerSecond >= TARGET_WORKFLOWS_PER_SECOND,
    latencyMs: l,
    messagesPerWorkflow: round(r.run.outboxRows / n, 2),
    deliveriesPerWorkflow: round(r.run.handled / n, 2),
    outboxByType: r.run.outboxByType,
    deliveriesByConsumerAndType: r.run.handledBy,
    meanHandleMs: round(r.run.meanHandleMs, 2),
    meanPublishMs: round(r.run.meanPublishMs, 2),
    viewBehindConflicts: { clicks: r.traces.reduce((a, t) => a + t.conflicts, 0), tasks: r.traces.filter((t) => t.conflicts > 0).length },
    handlerFailures: r.run.handlerFailures,
    retries: r.run.retries,
    transactionsPerWorkflow: round(r.run.commits / n, 2),
    botInboxReads: inboxReads,
    cpuMsPerWorkflow: { service: round((1000 * serviceCpu) / n, 1), database: round((1000 * r.run.databaseCpuSeconds) / n, 1) },
    processes: r.usage.map((u) => ({ name: u.name, peakRssMiB: mib(u.peakRssBytes), cpuSeconds: round(u.cpuSeconds, 2) })),
    checks: { approved: v.approved, exactHistory: v.exactHistory, onePrd: v.onePrd, failedWorkflows: v.failedWorkflows, deadLetters: r.deadLetters },
    workItemsByProcess: workItems,
    exits: Object.fromEntries(r.stops.map((s) => [s.name, s.exit])),
    ...(r.logProblems ? { logWarnings: Object.fromEntries(Object.entries(r.logProblems).map(([k, p]) => [k, p.byMessage])) } : {}),
    brokerObjectsLeft: typeof remaining === 'string' ? remaining : leftOnBroker,
    tracing: r.tracing ?? 'off',
    ok: failures.length === 0,
  };
  return { ok: failures.length === 0, failures, json, lines };
}

/** The target of issue #10: tracing on keeps at least this share of the throughput with it off. */
export const TARGET_TRACING_RATIO = 0.9;

/** Two runs of one invocation, tracing on and off: both throughputs and their ratio. */
export function summariseTracingComparison(on: Summary, off: Summary): Summary {
  const rate = (s: Summary) => Number(s.json['workflowsPerSecond']);
  const ratio = rate(on) / rate(off);
  const load = (s: Summary) => s.json['loadAverage'] as { start: number; end: number };
  const failures = [...on.failures.map((f) => `tracing on: ${f}`), ...off.failures.map((f) => `tracing off: ${f}`)];
  const lines = [
    ...on.lines.map((line) => `[tracing on]  ${line}`),
    ...off.lines.map((line) => `[tracing off] ${line}`),
    `tracing comparison: on ${rate(on)} workflows/s (load ${round(load(on).start, 2)} -> ${round(load(on).end, 2)}), off ${rate(off)} workflows/s (load ${round(load(off).start, 2)} -> ${round(load(off).end, 2)}); ratio on/off ${round(ratio, 3)}; target >= ${TARGET_TRACING_RATIO}: ${ratio >= TARGET_TRACING_RATIO ? 'met' : 'NOT met'}`,
    failures.length === 0 ? 'RESULT: ok' : `RESULT: FAILED: ${failures.join('; ')}`,
  ];
  const json = {
    bench: 'workflow-tracing',
    ratio: round(ratio, 3),
    meetsTarget: ratio >= TARGET_TRACING_RATIO,
    on: on.json,
    off: off.json,
    ok: failures.length === 0,
  };
  return { ok: failures.length === 0, failures, json, lines };
}
