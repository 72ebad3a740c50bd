import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { defineContract } from '../../src/shared/messaging/contract-registry';

/** The monitored run's test contract: a sequence number, the send time, and padding up to ~1 KB. */
export const Ping = defineContract('bench.ping.v1', 'event', z.object({ seq: z.number().int(), sentAt: z.number(), pad: z.string() }));

/**
 * Wall-clock milliseconds with sub-millisecond resolution: Date.now() would round every latency
 * to whole milliseconds, which is the size of the figures being measured.
 */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** The send time stamped in a body, read without zod so both runs pay the same on the consumer side. */
export function sentAtOf(payload: unknown): number {
  const sentAt = typeof payload === 'object' && payload !== null ? (payload as { sentAt?: unknown }).sentAt : undefined;
  if (typeof sentAt !== 'number') throw new Error('a benchmark message without sentAt');
  return sentAt;
}

/** Padding that brings `build('')` up to `targetBytes` once serialised (ASCII: one byte a character). */
export function paddingFor(targetBytes: number, build: (pad: string) => unknown): string {
  const bare = Buffer.byteLength(JSON.stringify(build('')));
  return 'x'.repeat(Math.max(0, targetBytes - bare));
}
