import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { allMigrations } from '../../../migrations';
import { DependencyUnavailableError, type DependencyWaitLog, waitForDependency } from '../kernel/dependency-wait';
import { isDatabaseUnreachable, postgresAddress } from './database-reachability';
import { ensurePrivateDirectory } from './private-directory';
import { type DataDirectoryLock, lockDataDirectory } from './pglite-lock';

export interface DatabaseOptions {
  /** postgres://… ; without it the service runs on embedded PGlite. */
  readonly url?: string;
  /** Where PGlite keeps its files; `memory://` keeps nothing (tests). */
  readonly pgliteDataDir?: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function | string | EntitySchema>;
  /** Connections to PostgreSQL at most (DEFAULT_POOL_SIZE); PGlite has one. */
  readonly poolSize?: number;
  /**
   * PostgreSQL only: how long to keep trying while it is unreachable (refused, reset, timed out,
   * unknown host, starting up), logging each wait; 0 or absent: one attempt.
   */
  readonly startupTimeoutMs?: number;
  /** Where waiting for PostgreSQL and taking over a stale PGlite lock are logged. */
  readonly log?: DependencyWaitLog;
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
  const common = commonOptions(options.entities);
  if (options.url) {
    const url = options.url;
    const address = postgresAddress(url);
    const connect = async () => {
      const dataSource = new DataSource({ ...common, url, extra: { max: options.poolSize ?? DEFAULT_POOL_SIZE } });
      await dataSource.initialize();
      return dataSource;
    };
    let dataSource: DataSource;
    try {
      dataSource = await waitForDependency({ name: 'PostgreSQL', address }, connect, {
        timeoutMs: options.startupTimeoutMs ?? 0,
        timeoutSetting: 'STARTUP_TIMEOUT_MS',
        isUnreachable: isDatabaseUnreachable,
        log: options.log ?? quietLog,
      });
    } catch (error) {
      // A refusal (wrong password, no such database) fails at once; say which server said it.
      if (error instanceof Error && !(error instanceof DependencyUnavailableError)) error.message = `PostgreSQL at ${address}: ${error.message}`;
      throw error;
    }
    return { dataSource, kind: 'postgres', close: () => dataSource.destroy() };
  }
  const dataDir = options.pgliteDataDir ?? 'memory://';
  let lock: DataDirectoryLock | undefined;
  if (!dataDir.startsWith('memory://')) {
    // PGlite's files are the whole database: only this account may reach them (0700).
    ensurePrivateDirectory(dataDir, options.log ?? quietLog);
    // One process per data directory: a second PGlite on the same files would corrupt them.
    lock = lockDataDirectory(dataDir);
    if (lock.tookOverFrom) {
      (options.log ?? quietLog).warn(
        { dataDir, lockFile: lock.lockFile, stalePid: lock.tookOverFrom.pid },
        `took over the lock of PGlite data directory ${dataDir} from process ${lock.tookOverFrom.pid}, which no longer runs`,
      );
    }
  }
  try {
    return await openPglite(common, dataDir, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

function commonOptions(entities: DatabaseOptions['entities']) {
  return {
    type: 'postgres' as const,
    entities,
    migrations: allMigrations,
    migrationsTableName: 'refinery_migrations',
    synchronize: false,
    logging: false,
  };
}

const quietLog: DependencyWaitLog = { warn: () => undefined, info: () => undefined };

async function openPglite(common: ReturnType<typeof commonOptions>, dataDir: string, lock: DataDirectoryLock | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
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
      lock?.release();
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
