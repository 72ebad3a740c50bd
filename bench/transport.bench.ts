/**
 * Transport benchmark (issue #3, item 8a): raw amqplib against the service's monitored
 * RabbitMqMessageQueue on the local broker, as bursts (throughput) and at a steady rate (latency).
 * Prints one line per run, then, as the last line, one JSON object with every figure.
 * See bench/README.md.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { runBurst, runPaced, type RunResult, type Target } from './transport/drivers';
import { deleteTopology } from './transport/cleanup';
import { type CpuSpent, startCpuMeter } from './transport/cpu';
import { MonitoredQueueTarget } from './transport/monitored-queue-target';
import { machine, readParams } from './transport/params';
import { clock } from './transport/ping';
import { RawAmqpTarget } from './transport/raw-amqp-target';
import { describeRun } from './transport/report';
import { Sink } from './transport/sink';

const P99_TARGET_MS = 25;
// The whole run must end by itself within ~2 minutes, cleanup included.
const RUN_BUDGET_MS = 105_000;
const HARD_STOP_MS = 125_000;

const params = (() => {
  try {
    return readParams();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
})();
const prefix = `bench-${randomUUID().slice(0, 8)}`;
const rawQueue = `${prefix}.raw`;
const startedAt = clock();
const budgetEnd = startedAt + RUN_BUDGET_MS;
/** A phase's deadline: its own allowance, never past the run's budget. */
const deadline = (allowanceMs: number): number => Math.min(budgetEnd, clock() + allowanceMs);
const round1 = (value: number): number => Math.round(value * 10) / 10;

let raw: RawAmqpTarget | undefined;
let monitored: MonitoredQueueTarget | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;

/** Idempotent: runs from the normal end, from a failure and from Ctrl-C alike. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await raw?.close();
    const topology = monitored?.topology() ?? { queues: [], exchanges: [] };
    await monitored?.close().catch(() => undefined);
    // The raw queue again: its own close may have failed with its channel.
    await deleteTopology(params.url, { queues: [rawQueue, ...topology.queues], exchanges: topology.exchanges });
  })();
  return cleaning;
}

type Measured = RunResult & { readonly cpu: CpuSpent };

async function measured(label: string, run: () => Promise<RunResult>): Promise<Measured> {
  const meter = startCpuMeter();
  const result = await run();
  const cpu = meter.stop(result.handled);
  console.log(describeRun(label, result, cpu));
  return { ...result, cpu };
}

const burst = (label: string, target: Target, sink: Sink): Promise<Measured> =>
  measured(label, () => runBurst(target, sink, params.messages, params.batch, deadline(40_000)));

const paced = (label: string, target: Target, sink: Sink): Promise<Measured> =>
  measured(label, () => runPaced(target, sink, params.rate, params.seconds, deadline(params.seconds * 1000 + 15_000)));

async function main(): Promise<void> {
  const loadBefore = loadavg().map(round1);
  const rawSink = new Sink();
  const monitoredSink = new Sink();
  raw = await RawAmqpTarget.open({ url: params.url, queue: rawQueue, prefetch: params.prefetch, messageBytes: params.messageBytes }, rawSink);
  monitored = await MonitoredQueueTarget.open(
    { url: params.url, exchangePrefix: prefix, prefetch: params.prefetch, messageBytes: params.messageBytes },
    monitoredSink,
  );
  const { nproc, node } = machine();
  console.log(
    `transport benchmark ${prefix}: ${params.messages} msgs, batch ${params.batch}, prefetch ${params.prefetch}, paced ${params.rate}/s for ${params.seconds} s; ` +
      `bodies raw ${raw.bodyBytes} B, monitored ${monitored.bodyBytes} B; ${nproc} cores, node ${node}, load ${loadBefore.join(' ')}`,
  );
  if (params.warmup > 0) {
    await runBurst(raw, rawSink, params.warmup, params.batch, deadline(20_000));
    await runBurst(monitored, monitoredSink, params.warmup, params.batch, deadline(20_000));
  }
  const a = await burst('A raw amqplib, batched confirms', raw, rawSink);
  const b = await burst('B monitored RabbitMqMessageQueue', monitored, monitoredSink);
  const ratio = Math.round((b.messagesPerSecond / a.messagesPerSecond) * 1000) / 1000;
  console.log(`B/A throughput ratio: ${ratio.toFixed(3)} (${ratio >= 0.8 ? 'meets' : 'BELOW'} the 0.8 goal)`);
  const c = await paced(`C monitored, paced ${params.rate}/s`, monitored, monitoredSink);
  const cRaw = await paced(`C raw amqplib, paced ${params.rate}/s`, raw, rawSink);
  const met = c.complete && c.latency.p99Ms < P99_TARGET_MS;
  console.log(
    `C monitored p99 ${c.latency.p99Ms} ms: ${met ? 'meets' : 'MISSES'} the p99 < ${P99_TARGET_MS} ms target (raw amqplib: ${cRaw.latency.p99Ms} ms)`,
  );
  const counted = monitored.stats();
  await cleanUp();
  const summary = {
    benchmark: 'transport',
    at: new Date().toISOString(),
    prefix,
    machine: { ...machine(), loadavgBefore: loadBefore, loadavgAfter: loadavg().map(round1) },
    params: {
      messages: params.messages,
      batch: params.batch,
      prefetch: params.prefetch,
      rate: params.rate,
      seconds: params.seconds,
      warmup: params.warmup,
      messageBytes: params.messageBytes,
      rawBodyBytes: raw.bodyBytes,
      monitoredBodyBytes: monitored.bodyBytes,
    },
    burst: { raw: a, monitored: b, ratio, ratioGoal: 0.8 },
    paced: { monitored: c, raw: cRaw, p99TargetMs: P99_TARGET_MS, p99TargetMet: met },
    monitor: counted,
    durationSeconds: Math.round(clock() - startedAt) / 1000,
  };
  console.log(JSON.stringify(summary));
}

// Last resort if cleanup itself hangs (a broker that stopped answering): never run unbounded.
setTimeout(() => {
  console.error(`transport benchmark: still running after ${HARD_STOP_MS / 1000} s; giving up (broker objects under ${prefix} may remain)`);
  process.exit(2);
}, HARD_STOP_MS).unref();

process.once('SIGINT', () => {
  interrupted = true;
  console.error('interrupted; deleting what this run declared');
  void cleanUp().finally(() => process.exit(130));
});

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    // After Ctrl-C the run fails because its channels close under it: that is no news.
    if (interrupted) return;
    console.error('transport benchmark failed:', error);
    await cleanUp().catch((cleanupError: unknown) => console.error(`cleanup failed (broker objects under ${prefix} may remain):`, cleanupError));
    process.exit(1);
  },
);
