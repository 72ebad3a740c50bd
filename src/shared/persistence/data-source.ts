import { mkdirSync } from 'node:fs';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { allMigrations } from '../../../migrations';

export interface DatabaseOptions {
  /** postgres://… ; without it the service runs on embedded PGlite. */
  readonly url?: string;
  /** Where PGlite keeps its files; `memory://` keeps nothing (tests). */
  readonly pgliteDataDir?: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function | string | EntitySchema>;
  /** Connections to PostgreSQL at most (DEFAULT_POOL_SIZE); PGlite has one. */
  readonly poolSize?: number;
}

export const DEFAULT_POOL_SIZE = 10;

export interface Database {
  readonly dataSource: DataSource;
  readonly kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/**
 * PostgreSQL when a URL is given; otherwise PGlite served over the PostgreSQL wire protocol on
 * 127.0.0.1, so the same `pg` driver and the same SQL run in both cases. PGlite is one session:
 * the pool holds one connection, so code inside a transaction must use the transaction's manager
 * and never the data source, or it waits for itself.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const common = {
    type: 'postgres' as const,
    entities: options.entities,
    migrations: allMigrations,
    migrationsTableName: 'refinery_migrations',
    synchronize: false,
    logging: false,
  };
  if (options.url) {
    const dataSource = new DataSource({ ...common, url: options.url, extra: { max: options.poolSize ?? DEFAULT_POOL_SIZE } });
    await dataSource.initialize();
    return { dataSource, kind: 'postgres', close: () => dataSource.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const dataDir = options.pgliteDataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  const dataSource = new DataSource({
    ...common,
    host: '127.0.0.1',
    port,
    username: 'postgres',
    database: 'postgres',
    extra: { max: 1 },
  });
  await dataSource.initialize();
  return {
    dataSource,
    kind: 'pglite',
    close: async () => {
      await dataSource.destroy();
      await server.stop();
      await db.close();
    },
  };
}

/** Any fixed number: the advisory lock that lets one process at a time run migrations. */
const MIGRATION_LOCK = 7_310_241;

/**
 * Applies pending migrations. With `serialise` (a shared PostgreSQL, where several processes may
 * start at once) a session advisory lock makes the others wait and then find nothing to do. Not
 * on PGlite: its single connection would be held by the lock and the migrations would wait on it.
 */
export async function migrate(dataSource: DataSource, { serialise = false }: { serialise?: boolean } = {}): Promise<string[]> {
  if (!serialise) return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}

export async function pendingMigrations(dataSource: DataSource): Promise<boolean> {
  return dataSource.showMigrations();
}
