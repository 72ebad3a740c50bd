import type { Command } from 'commander';
import { z } from 'zod';
import { failure } from './api-client';
import type { CliIo } from './cli-io';
import { type ConnectionFlags, connectionOf, withConnection } from './connection';
import { EXIT } from './exit-codes';
import { requestJson } from './service-request';
import { instant, printable, table } from './terminal-text';

type Run = (action: () => Promise<number>) => Promise<void>;

/** GET /api/admin/stalled as the CLI reads it; unknown fields are ignored. */
const stalledTask = z.object({
  alertId: z.string(),
  taskId: z.string(),
  title: z.string().nullable(),
  status: z.string(),
  taskVersion: z.number(),
  inStatusSince: z.string(),
  redriven: z.array(z.string()),
  redriveRequestedBy: z.string().nullable(),
});
export type StalledTaskView = z.infer<typeof stalledTask>;

export function formatStalledTable(stalled: readonly StalledTaskView[]): string {
  if (stalled.length === 0) return 'no stalled tasks\n';
  const rows = stalled.map((s) => [
    printable(s.alertId),
    printable(s.taskId),
    printable(s.title ?? '-'),
    `${printable(s.status)} (v${s.taskVersion})`,
    instant(s.inStatusSince),
    s.redriven.length === 0 ? '-' : printable(s.redriven.join(', ')),
    s.redriveRequestedBy === null ? '-' : `asked by ${printable(s.redriveRequestedBy)}`,
  ]);
  return `${table(['STALL', 'TASK', 'TITLE', 'STATE', 'SINCE', 'SCANNER SENT AGAIN', 'RE-DRIVE'], rows)}\n${stalled.length} stalled task${stalled.length === 1 ? '' : 's'}\n`;
}

/** `refinery stalled list|redrive`: the tasks the scanner found stuck, and re-driving one now (admin). */
export function registerStalledCommands(program: Command, io: CliIo, run: Run): void {
  const group = program.command('stalled').description('see stalled tasks and re-drive one now (admin)');

  withConnection(group.command('list').description('open stall episodes, oldest first'))
    .option('--json', 'print the JSON the server sent')
    .action((flags: ConnectionFlags & { json?: boolean }) =>
      run(async () => {
        const raw = await requestJson(connectionOf(flags, io), 'GET', '/api/admin/stalled', undefined, failure);
        const { stalled } = z.object({ stalled: z.array(stalledTask) }).parse(raw);
        io.stdout(flags.json ? `${JSON.stringify(raw, null, 2)}\n` : formatStalledTable(stalled));
        return EXIT.ok;
      }),
    );

  withConnection(
    group
      .command('redrive')
      .description("send the stalled task's step again now, once per stall; written to the audit log")
      .argument('<stall>', 'the stall (STALL in `stalled list`)'),
  ).action((stall: string, flags: ConnectionFlags) =>
    run(async () => {
      const body = await requestJson(connectionOf(flags, io), 'POST', `/api/admin/stalled/${encodeURIComponent(stall)}/redrive`, undefined, failure);
      const sent = z.object({ taskId: z.string(), taskVersion: z.number() }).parse(body);
      io.stdout(`re-drive sent for task ${printable(sent.taskId)} (version ${sent.taskVersion})\n`);
      return EXIT.ok;
    }),
  );
}
