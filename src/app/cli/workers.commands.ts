import { type Command, Option } from 'commander';
import { z } from 'zod';
import { failure } from './api-client';
import type { CliIo } from './cli-io';
import { type ConnectionFlags, connectionOf, withConnection } from './connection';
import { EXIT } from './exit-codes';
import { requestJson } from './service-request';
import { instant, printable, table } from './terminal-text';

type Run = (action: () => Promise<number>) => Promise<void>;

const STATUSES = ['live', 'draining', 'gone'] as const;

/** GET /api/admin/workers as the CLI reads it; unknown fields are ignored. */
const listedWorker = z.object({
  id: z.string(),
  contexts: z.array(z.string()),
  host: z.string(),
  pid: z.number(),
  version: z.string(),
  status: z.string(),
  startedAt: z.string(),
  lastHeartbeatAt: z.string(),
  heartbeatAgeMs: z.number(),
  inFlight: z.number(),
  handled: z.number(),
});
export type ListedWorker = z.infer<typeof listedWorker>;

interface WorkersFlags extends ConnectionFlags {
  readonly status?: string;
  readonly json?: boolean;
}

/** 850 ms, 4.2 s, 3 min, 2 h: how long ago the last heartbeat was. */
export function age(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`;
  return `${Math.floor(ms / 3_600_000)}h`;
}

export function formatWorkersTable(workers: readonly ListedWorker[]): string {
  if (workers.length === 0) return 'no registered workers\n';
  const rows = workers.map((w) => [
    printable(w.id),
    printable(w.status),
    printable(w.contexts.join(',')),
    printable(w.version),
    instant(w.startedAt),
    `${age(w.heartbeatAgeMs)} ago`,
    String(w.inFlight),
    String(w.handled),
  ]);
  const byStatus = STATUSES.map((status) => [status, workers.filter((w) => w.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  const total = `${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}: ${byStatus.join(', ')}`;
  return `${table(['ID', 'STATUS', 'CONTEXTS', 'VERSION', 'STARTED', 'HEARTBEAT', 'IN FLIGHT', 'HANDLED'], rows)}\n${total}\n`;
}

/** `refinery workers`: the worker registry, every process with its heartbeat and status (admin). */
export function registerWorkersCommand(program: Command, io: CliIo, run: Run): void {
  withConnection(program.command('workers').description('list the worker registry: every process, its contexts, status and heartbeat (admin)'))
    .addOption(new Option('--status <status>', 'only workers in this status').choices(STATUSES))
    .option('--json', 'print the JSON the server sent (with --status: only those workers)')
    .action((flags: WorkersFlags) =>
      run(async () => {
        const raw = await requestJson(connectionOf(flags, io), 'GET', '/api/admin/workers', undefined, failure);
        const { workers } = z.object({ workers: z.array(listedWorker.loose()) }).parse(raw);
        const shown = flags.status === undefined ? workers : workers.filter((w) => w.status === flags.status);
        // --json: the server's objects as sent (every field), only --status applied.
        io.stdout(flags.json ? `${JSON.stringify({ workers: shown }, null, 2)}\n` : formatWorkersTable(shown));
        return EXIT.ok;
      }),
    );
}
