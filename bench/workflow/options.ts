import { parseArgs } from 'node:util';
import { z } from 'zod';

export type BenchMode = 'single' | 'split';
/** `on`: the services export spans to a receiver in the bench; `compare`: a run with, then one without. */
export type BenchTracing = 'off' | 'on' | 'compare';

export interface BenchOptions {
  readonly mode: BenchMode;
  /** Complete workflows to run. */
  readonly workflows: number;
  /** Workflows in flight at once (the bot's simultaneous users). */
  readonly concurrency: number;
  /** Share of workflows that go through one clarification round (0 = none). */
  readonly clarifyShare: number;
  /** The whole run (start-up, workflows, checks) must end within this; then it fails with a diagnostic. */
  readonly timeoutMs: number;
  readonly databaseUrl: string;
  readonly rabbitmqUrl: string;
  /** Keep the split-mode service logs even when the run passed. */
  readonly keepLogs: boolean;
  /** Extra service settings (KEY=VALUE), applied over the bench defaults. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly tracing: BenchTracing;
}

const schema = z.object({
  mode: z.enum(['single', 'split']),
  workflows: z.coerce.number().int().min(1).max(100_000),
  concurrency: z.coerce.number().int().min(1).max(1_000),
  clarifyShare: z.coerce.number().min(0).max(1),
  timeoutMs: z.coerce.number().int().min(10_000),
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/ }),
  rabbitmqUrl: z.url({ protocol: /^amqps?$/ }),
  tracing: z.enum(['off', 'on', 'compare']),
});

export const USAGE = `usage: node dist/bench/workflow.bench.js [--mode single|split] [--workflows 200] [--concurrency 50]
       [--clarify 0] [--timeout-s 240] [--database-url postgres://…/test] [--rabbitmq-url amqp://…] [--set KEY=VALUE]… [--keep-logs]
       [--tracing off|on|compare]
  --database-url names an existing database used only to CREATE/DROP the bench's own database.
  --set overrides a service setting (e.g. --set POLL_INTERVAL_MS=50); repeatable.
  --keep-logs keeps split mode's service logs (otherwise kept only when they hold an error or the run failed).
  --tracing on exports every process's spans over OTLP/HTTP to a receiver inside the bench; compare runs the
    workflows with tracing on, then off, and prints both throughputs and their ratio. Split mode only (the
    default with --tracing): the SDK must start in the service's own process, before its modules load.`;

/** Command-line options, with the environment's TEST_DATABASE_URL / TEST_RABBITMQ_URL as defaults. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      mode: { type: 'string' },
      workflows: { type: 'string', short: 'n', default: '200' },
      concurrency: { type: 'string', short: 'c', default: '50' },
      clarify: { type: 'string', default: '0' },
      'timeout-s': { type: 'string', default: '240' },
      'database-url': { type: 'string', default: env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test' },
      'rabbitmq-url': { type: 'string', default: env['TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672' },
      set: { type: 'string', multiple: true, default: [] },
      'keep-logs': { type: 'boolean', default: false },
      tracing: { type: 'string', default: 'off' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const tracing = values.tracing;
  const mode = values.mode ?? (tracing === 'off' ? 'single' : 'split');
  if (mode === 'single' && tracing !== 'off') throw new Error('--tracing needs --mode split: tracing starts in each service process, before its modules load');
  const parsed = schema.parse({
    mode,
    tracing,
    workflows: values.workflows,
    concurrency: values.concurrency,
    clarifyShare: values.clarify,
    timeoutMs: Number(values['timeout-s']) * 1000,
    databaseUrl: values['database-url'],
    rabbitmqUrl: values['rabbitmq-url'],
  });
  const serviceEnv: Record<string, string> = {};
  for (const pair of values.set) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--set wants KEY=VALUE, got "${pair}"`);
    serviceEnv[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { ...parsed, keepLogs: values['keep-logs'], serviceEnv };
}
