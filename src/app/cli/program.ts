import { Command, CommanderError } from 'commander';
import { registerAgentCommands } from './agent.commands';
import { registerAuditCommands } from './audit.commands';
import { registerStalledCommands } from './stalled.commands';
import { registerChannelCommands } from './channel.commands';
import type { CliIo } from './cli-io';
import { registerDeadLetterCommands } from './dead-letters.commands';
import { registerDeliveryCommands } from './delivery.commands';
import { CliError, EXIT } from './exit-codes';
import { registerMigrateCommand } from './migrate.command';
import { registerTaskCommands } from './task.commands';
import { registerTokenCommands } from './token.commands';
import { registerWorkersCommand } from './workers.commands';

const EXIT_CODES_HELP = `
Connection: --url or $REFINERY_URL (default http://127.0.0.1:3000), --token or $REFINERY_TOKEN.

Exit codes:
  0 done (with --wait: the task reached the status)
  1 the server answered with an error, or could not be reached
  2 usage error (nothing was sent), or the server found the request invalid (400)
  3 not authorised: no token, an unknown or revoked one (401), or not allowed (403)
  4 refused by the workflow: no such task (404), or not in a state for this (409)
  5 --wait ended without the status: the task finished elsewhere, or --wait-timeout passed`;

/**
 * Runs `refinery <argv...>` and resolves to its exit code. Nothing here exits the process or
 * touches process.std*: src/app/cli.ts does that, tests call this directly.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const run = async (action: () => Promise<number>) => {
    try {
      exitCode = await action();
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      io.stderr(`error: ${error.message}\n`);
      exitCode = error.exitCode;
    }
  };

  // Settings made before `.command()` are inherited by every subcommand: set them first.
  const program = new Command('refinery')
    .description('Refinery from the command line: submit requests, answer questions, decide on PRDs; admin tokens, dead letters, migrations')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError()
    .addHelpText('after', EXIT_CODES_HELP);
  registerTaskCommands(program, io, run);
  registerChannelCommands(program, io, run);
  registerTokenCommands(program, io, run);
  registerDeadLetterCommands(program, io, run);
  registerDeliveryCommands(program, io, run);
  registerAuditCommands(program, io, run);
  registerStalledCommands(program, io, run);
  registerAgentCommands(program, io, run);
  registerWorkersCommand(program, io, run);
  registerMigrateCommand(program, io, run);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // commander has already printed its message (or the help) through configureOutput.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}
