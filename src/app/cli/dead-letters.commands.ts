import { type Command, Option } from 'commander';
import { AdminClient, type DeadLetterView, type Selector } from './admin-client';
import type { CliIo } from './cli-io';
import { type ConnectionFlags, connectionOf, withConnection as withServiceConnection } from './connection';
import { formatDeadLetter, formatDeadLetterTable } from './dead-letter.format';
import { CliError, EXIT } from './exit-codes';

interface SelectorFlags {
  readonly id?: string;
  readonly type?: string;
  readonly all?: boolean;
}

const withConnection = (command: Command): Command => withServiceConnection(command, 'an admin bearer token');

function withSelector(command: Command, verb: string): Command {
  return command
    .option('--id <id>', `${verb} the dead letter with this id`)
    .option('--type <type>', `${verb} the dead letters of this message type`)
    .addOption(new Option('--all', `${verb} every dead letter of the consumer`).conflicts(['id', 'type']));
}

function clientFor(flags: ConnectionFlags, io: CliIo): AdminClient {
  return new AdminClient(connectionOf(flags, io, 'admin token'));
}

/** Replay and purge act on nothing by accident: no selector is a usage error unless --all says so. */
function selectorOf(flags: SelectorFlags, verb: string): Selector {
  if (!flags.all && flags.id === undefined && flags.type === undefined) throw new CliError(EXIT.usage, `${verb} needs --id, --type or --all`);
  return { ...(flags.id === undefined ? {} : { id: flags.id }), ...(flags.type === undefined ? {} : { type: flags.type }) };
}

const matches = (selector: Selector) => (d: DeadLetterView) =>
  (selector.id === undefined || d.id === selector.id) && (selector.type === undefined || d.messageType === selector.type);
const plural = (n: number) => `${n} dead letter${n === 1 ? '' : 's'}`;

/**
 * `refinery dead-letters list|show|replay|purge`. Each action hands its work to `run`, which turns
 * the outcome into the exit code: commander ignores what an action returns.
 */
export function registerDeadLetterCommands(program: Command, io: CliIo, run: (action: () => Promise<number>) => Promise<void>): void {
  const group = program.command('dead-letters').description('inspect, replay and purge dead letters through the admin HTTP API');

  withConnection(group.command('list').description('the dead letters of every consumer, or of one'))
    .option('--consumer <consumer>', 'only this consumer, e.g. task-management.commands')
    .option('--json', 'print JSON (with each message) instead of a table')
    .action((flags: ConnectionFlags & { consumer?: string; json?: boolean }) =>
      run(async () => {
        const deadLetters = await clientFor(flags, io).list(flags.consumer);
        io.stdout(flags.json ? `${JSON.stringify(deadLetters, null, 2)}\n` : formatDeadLetterTable(deadLetters));
        return EXIT.ok;
      }),
    );

  withConnection(group.command('show').description('one dead letter in full, with its message').argument('<consumer>').argument('<id>'))
    .option('--json', 'print JSON')
    .action((consumer: string, id: string, flags: ConnectionFlags & { json?: boolean }) =>
      run(async () => {
        const deadLetter = await clientFor(flags, io).show(consumer, id);
        io.stdout(flags.json ? `${JSON.stringify(deadLetter, null, 2)}\n` : formatDeadLetter(deadLetter));
        return EXIT.ok;
      }),
    );

  withSelector(
    withConnection(group.command('replay').description("put dead letters back on their consumer's queue (attempts start again)").argument('<consumer>')),
    'replay',
  ).action((consumer: string, flags: ConnectionFlags & SelectorFlags) =>
    run(async () => {
      const selector = selectorOf(flags, 'replay');
      const replayed = await clientFor(flags, io).replay(consumer, selector);
      io.stdout(`replayed ${plural(replayed)} of ${consumer}\n`);
      return EXIT.ok;
    }),
  );

  withSelector(withConnection(group.command('purge').description('delete dead letters for good').argument('<consumer>')), 'purge')
    .option('--yes', 'really delete (without it, only show what would go)')
    .action((consumer: string, flags: ConnectionFlags & SelectorFlags & { yes?: boolean }) =>
      run(async () => {
        const selector = selectorOf(flags, 'purge');
        const client = clientFor(flags, io);
        if (!flags.yes) {
          const doomed = (await client.list(consumer)).filter(matches(selector));
          io.stdout(formatDeadLetterTable(doomed));
          throw new CliError(EXIT.usage, `purge would delete ${plural(doomed.length)} of ${consumer} for good: add --yes to do it`);
        }
        const purged = await client.purge(consumer, selector);
        io.stdout(`purged ${plural(purged)} of ${consumer}\n`);
        return EXIT.ok;
      }),
    );
}
