import { setTimeout as sleep } from 'node:timers/promises';
import type { LatencySummary } from './latency';
import { clock } from './ping';
import type { Sink } from './sink';

/** One transport under test: publishes message `seq` stamped with the current time; resolves on its confirm. */
export interface Target {
  send(seq: number): Promise<void>;
}

export interface RunResult {
  /** Messages published, and handled before the deadline. */
  readonly sent: number;
  readonly handled: number;
  readonly complete: boolean;
  /** First publish to last handled. */
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** First publish to last confirm: how fast the broker took them, consumers aside. */
  readonly confirmedPerSecond: number;
  readonly latency: LatencySummary;
}

const round = (value: number, places = 1): number => Math.round(value * 10 ** places) / 10 ** places;

function result(sink: Sink, sent: number, startedAt: number, confirmedAt: number, complete: boolean): RunResult {
  // Nothing handled at all (a deadline hit): measure up to now rather than to time zero.
  const seconds = ((sink.count > 0 ? sink.lastHandledAt : clock()) - startedAt) / 1000;
  return {
    sent,
    handled: sink.count,
    complete,
    seconds: round(seconds, 3),
    messagesPerSecond: round(sink.count / seconds),
    confirmedPerSecond: round(sent / ((confirmedAt - startedAt) / 1000)),
    latency: sink.latencies().summary(),
  };
}

/** N messages as fast as batched confirms allow: publish a batch, await its confirms, next batch. */
export async function runBurst(target: Target, sink: Sink, messages: number, batch: number, deadline: number): Promise<RunResult> {
  sink.reset(messages);
  const startedAt = clock();
  for (let first = 0; first < messages; first += batch) {
    const sends: Promise<void>[] = [];
    for (let seq = first; seq < Math.min(messages, first + batch); seq++) sends.push(target.send(seq));
    await Promise.all(sends);
    if (clock() > deadline) throw new Error(`publishing did not finish before the deadline (${first + batch} of ${messages} sent)`);
  }
  const confirmedAt = clock();
  const complete = await sink.waitFor(messages, deadline);
  return result(sink, messages, startedAt, confirmedAt, complete);
}

/**
 * `rate` messages/s for `seconds`: message i is due at start + i/rate and goes out on the first
 * timer tick at or after that (stamped when it actually leaves, so timer lag is not counted as
 * transport latency). Confirms are not awaited one by one, as a steady producer would not.
 */
export async function runPaced(target: Target, sink: Sink, rate: number, seconds: number, deadline: number): Promise<RunResult> {
  const total = Math.round(rate * seconds);
  sink.reset(total);
  const sends: Promise<void>[] = [];
  const startedAt = clock();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((clock() - startedAt) / 1000) * rate) + 1);
    while (sent < due) {
      const send = target.send(sent++);
      // Awaited below; marked handled now so an early failure is not an unhandled rejection.
      send.catch(() => undefined);
      sends.push(send);
    }
    if (clock() > deadline) throw new Error(`paced publishing did not finish before the deadline (${sent} of ${total} sent)`);
    await sleep(1);
  }
  await Promise.all(sends);
  const confirmedAt = clock();
  const complete = await sink.waitFor(total, deadline);
  return result(sink, total, startedAt, confirmedAt, complete);
}
