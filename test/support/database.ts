import type { EntitySchema, MixedList } from 'typeorm';
import { type Database, migrate, openDatabase } from '../../src/shared/persistence/data-source';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or the real
 * PostgreSQL at TEST_DATABASE_URL (integration tests pass a URL to a schema-isolated database),
 * or PGlite in a folder a test names (to start the service again on what it left).
 */
export async function openTestDatabase(
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema> = [],
  url?: string,
  pgliteDataDir = 'memory://',
): Promise<Database> {
  const database = await openDatabase({ entities, ...(url ? { url } : { pgliteDataDir }) });
  await migrate(database.dataSource);
  return database;
}
