import type { Command } from 'commander';
import { z } from 'zod';
import { failure } from './api-client';
import type { CliIo } from './cli-io';
import { type ConnectionFlags, connectionOf, positiveInteger, withConnection } from './connection';
import { EXIT } from './exit-codes';
import { requestJson } from './service-request';
import { instant, printable, table } from './terminal-text';

type Run = (action: () => Promise<number>) => Promise<void>;

interface AuditFlags extends ConnectionFlags {
  readonly task?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

/** GET /api/admin/audit as the CLI reads it; unknown fields are ignored. */
const operatorAction = z.object({
  at: z.string(),
  actorId: z.string(),
  action: z.string(),
  target: z.string(),
  taskId: z.string().nullable(),
  outcome: z.string(),
  detail: z.string(),
});
export type OperatorActionView = z.infer<typeof operatorAction>;

export function formatAuditTable(actions: readonly OperatorActionView[]): string {
  if (actions.length === 0) return 'no operator actions\n';
  const rows = actions.map((a) => [instant(a.at), printable(a.actorId), printable(a.action), printable(a.target), printable(a.outcome), printable(a.detail)]);
  return `${table(['AT', 'WHO', 'ACTION', 'ON', 'OUTCOME', 'WHAT HAPPENED'], rows)}\n${actions.length} action${actions.length === 1 ? '' : 's'}\n`;
}

/** `refinery audit`: the audit log of operator actions, from the /ops console and the admin API (admin). */
export function registerAuditCommands(program: Command, io: CliIo, run: Run): void {
  withConnection(program.command('audit').description('the audit log: every operator action (who, what, on what, when, how it ended), newest first (admin)'))
    .option('--task <id>', 'only the actions on this task')
    .option('--limit <n>', 'at most this many (server default 100, at most 1000)', positiveInteger)
    .option('--json', 'print the JSON the server sent')
    .action((flags: AuditFlags) =>
      run(async () => {
        const params = new URLSearchParams();
        if (flags.task !== undefined) params.set('taskId', flags.task);
        if (flags.limit !== undefined) params.set('limit', String(flags.limit));
        const query = params.toString() ? `?${params.toString()}` : '';
        const raw = await requestJson(connectionOf(flags, io), 'GET', `/api/admin/audit${query}`, undefined, failure);
        const { actions } = z.object({ actions: z.array(operatorAction) }).parse(raw);
        io.stdout(flags.json ? `${JSON.stringify(raw, null, 2)}\n` : formatAuditTable(actions));
        return EXIT.ok;
      }),
    );
}
