import type { Command } from 'commander';
import { z } from 'zod';
import { failure } from './api-client';
import type { CliIo } from './cli-io';
import { type ConnectionFlags, connectionOf, withConnection } from './connection';
import { EXIT } from './exit-codes';
import { requestJson } from './service-request';
import { instant, printable } from './terminal-text';

type Run = (action: () => Promise<number>) => Promise<void>;

interface StatusFlags extends ConnectionFlags {
  readonly json?: boolean;
}

interface PauseFlags extends ConnectionFlags {
  readonly reason?: string;
}

/** GET /api/admin/agent-pool as the CLI reads it; unknown fields are ignored. */
const agentPoolView = z.object({
  pool: z.string(),
  paused: z.boolean(),
  changedBy: z.string().nullable(),
  reason: z.string().nullable(),
  changedAt: z.string().nullable(),
  waitingTasks: z.number(),
});
export type AgentPoolView = z.infer<typeof agentPoolView>;

const requestView = z.object({ requested: z.enum(['pause', 'resume']), waitingTasks: z.number(), alreadySo: z.boolean() });

const tasks = (n: number) => `${n} task${n === 1 ? '' : 's'}`;

export function formatAgentPool(pool: AgentPoolView): string {
  const who = pool.changedBy === null ? '' : ` by ${printable(pool.changedBy)}${pool.changedAt ? ` at ${instant(pool.changedAt)}` : ''}`;
  const why = pool.reason === null ? '' : ` (${printable(pool.reason)})`;
  const state = pool.paused ? `paused${who}${why}` : pool.changedBy === null ? 'running' : `running (resumed${who}${why})`;
  return `agent pool ${printable(pool.pool)}: ${state}\n${tasks(pool.waitingTasks)} waiting for the agent\n`;
}

/** `refinery agent pause|resume|status`: the agent pool's switch, as on the /ops console (admin). */
export function registerAgentCommands(program: Command, io: CliIo, run: Run): void {
  const group = program.command('agent').description('pause or resume the agent pool, and see its switch (admin); written to the audit log');

  withConnection(group.command('status').description('whether the agent pool runs or who paused it, when and why; the tasks waiting for the agent'))
    .option('--json', 'print the JSON the server sent')
    .action((flags: StatusFlags) =>
      run(async () => {
        const raw = await requestJson(connectionOf(flags, io), 'GET', '/api/admin/agent-pool', undefined, failure);
        io.stdout(flags.json ? `${JSON.stringify(raw, null, 2)}\n` : formatAgentPool(agentPoolView.parse(raw)));
        return EXIT.ok;
      }),
    );

  const ask = (paused: boolean, flags: PauseFlags) =>
    run(async () => {
      const body = { paused, ...(flags.reason !== undefined ? { reason: flags.reason } : {}) };
      const asked = requestView.parse(await requestJson(connectionOf(flags, io), 'POST', '/api/admin/agent-pool', body, failure));
      const already = asked.alreadySo ? `; it was ${paused ? 'paused' : 'running'} already` : '';
      io.stdout(`asked the agent pool to ${asked.requested}${already}; ${tasks(asked.waitingTasks)} waiting for the agent\n`);
      return EXIT.ok;
    });

  withConnection(group.command('pause').description('stop every process claiming work: tasks stay in REQUEST_VALIDATION, attempts unspent'))
    .option('--reason <text>', 'why, shown to other operators and in the audit log')
    .action((flags: PauseFlags) => ask(true, flags));

  withConnection(group.command('resume').description('let every process claim work again')).action((flags: PauseFlags) => ask(false, flags));
}
