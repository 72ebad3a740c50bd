import type { Command } from 'commander';
import { migrate, openDatabase } from '../../shared/persistence/data-source';
import { ConfigError, loadConfig } from '../config';
import type { CliIo } from './cli-io';
import { CliError, EXIT } from './exit-codes';

/** `refinery migrate`: applies pending migrations to DATABASE_URL, or to PGlite in PGLITE_DATA_DIR. */
export function registerMigrateCommand(program: Command, io: CliIo, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('migrate')
    .description('apply pending migrations to $DATABASE_URL (or PGlite in $PGLITE_DATA_DIR)')
    .action(() =>
      run(async () => {
        const config = configFrom(io);
        // Like the service's start-up: an unreachable PostgreSQL is waited for up to STARTUP_TIMEOUT_MS, each wait told on stderr.
        const log = {
          warn: (_fields: unknown, message: string) => io.stderr(`${message}\n`),
          info: (_fields: unknown, message: string) => io.stderr(`${message}\n`),
        };
        let database;
        try {
          database = await openDatabase({
            url: config.DATABASE_URL,
            pgliteDataDir: config.PGLITE_DATA_DIR,
            entities: [],
            startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
            log,
          });
        } catch (error) {
          throw new CliError(EXIT.failure, `migrate failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        try {
          const applied = await migrate(database.dataSource);
          io.stdout(applied.length ? `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}\n` : 'database is up to date\n');
          return EXIT.ok;
        } catch (error) {
          throw new CliError(EXIT.failure, `migrate failed: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          await database.close();
        }
      }),
    );
}

// A bad variable is the operator's to fix before anything runs: a usage error, naming the variable.
function configFrom(io: CliIo) {
  try {
    return loadConfig({ ...io.env });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(EXIT.usage, error.message);
    throw error;
  }
}
