import 'reflect-metadata';
import { loadConfig, ConfigError } from './config';
import { migrate, openDatabase } from '../shared/persistence/data-source';

const USAGE = `usage: node dist/src/app/cli.js migrate     apply pending migrations to DATABASE_URL (or PGlite in PGLITE_DATA_DIR)`;

async function run(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command !== 'migrate') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDataDir: config.PGLITE_DATA_DIR, entities: [] });
  try {
    const applied = await migrate(database.dataSource);
    process.stdout.write(applied.length ? `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `migrate failed: ${error instanceof Error ? error.message : String(error)}`}\n`);
    process.exit(1);
  },
);
