import type { EntitySchema, MixedList } from 'typeorm';
import { type Database, migrate, openDatabase } from '../../src/shared/persistence/data-source';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or the real
 * PostgreSQL at TEST_DATABASE_URL (integration tests pass a URL to a schema-isolated database).
 */
export async function openTestDatabase(
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema> = [],
  url?: string,
): Promise<Database> {
  const database = await openDatabase({ entities, ...(url ? { url } : { pgliteDataDir: 'memory://' }) });
  await migrate(database.dataSource);
  return database;
}
