import { availableParallelism } from 'node:os';
import { z } from 'zod';

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every knob, from the environment; a bad value stops the run before it touches the broker. */
const paramsSchema = z.object({
  BENCH_MESSAGES: count(20_000),
  BENCH_BATCH: count(500),
  BENCH_PREFETCH: count(500),
  BENCH_RATE: count(1_000),
  BENCH_SECONDS: count(10),
  // Not counted: lets V8 compile the hot paths so the first measured run is not the slowest.
  BENCH_WARMUP: z.coerce.number().int().nonnegative().default(2_000),
  BENCH_MESSAGE_BYTES: z.coerce.number().int().min(200).default(1_024),
  BENCH_RABBITMQ_URL: z.string().optional(),
  RABBITMQ_URL: z.string().optional(),
});

export interface BenchParams {
  readonly messages: number;
  readonly batch: number;
  readonly prefetch: number;
  readonly rate: number;
  readonly seconds: number;
  readonly warmup: number;
  /** Size of each message body on the wire, for both the raw and the monitored runs. */
  readonly messageBytes: number;
  readonly url: string;
}

export function readParams(env: NodeJS.ProcessEnv = process.env): BenchParams {
  const parsed = paramsSchema.safeParse(env);
  if (!parsed.success) {
    // Names the variable, never echoes the value (a URL may carry a password).
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`invalid benchmark parameter(s): ${names}`);
  }
  const p = parsed.data;
  return {
    messages: p.BENCH_MESSAGES,
    batch: p.BENCH_BATCH,
    prefetch: p.BENCH_PREFETCH,
    rate: p.BENCH_RATE,
    seconds: p.BENCH_SECONDS,
    warmup: p.BENCH_WARMUP,
    messageBytes: p.BENCH_MESSAGE_BYTES,
    url: p.BENCH_RABBITMQ_URL ?? p.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  };
}

export function machine(): { nproc: number; node: string; platform: string } {
  return { nproc: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
}
