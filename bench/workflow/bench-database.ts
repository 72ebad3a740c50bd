import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { z } from 'zod';

const countRow = z.object({ n: z.coerce.number() });
const typeCountRow = z.object({ type: z.string(), n: z.coerce.number() });
const ownerRow = z.object({ owner: z.string().nullable(), n: z.coerce.number() });
const statusRow = z.object({ status: z.string(), n: z.coerce.number() });
const xactRow = z.object({ xact_commit: z.coerce.number(), xact_rollback: z.coerce.number() });

export interface TransactionCounts {
  readonly commits: number;
  readonly rollbacks: number;
}

/**
 * The bench's own PostgreSQL database, created next to `adminUrl`'s and dropped at the end, so a
 * run never sees another run's rows and its pg_stat_database counters are its own.
 */
export class BenchDatabase {
  private constructor(
    private readonly adminUrl: string,
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(adminUrl: string): Promise<BenchDatabase> {
    const name = `refinery_bench_${randomBytes(6).toString('hex')}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new BenchDatabase(adminUrl, name, url.toString());
  }

  async drop(): Promise<void> {
    await withClient(this.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }

  /**
   * Commits so far in the bench database, by every session. Backends report their counters when
   * idle (PostgreSQL 15 flushes them at most once a second), so callers wait a moment first.
   */
  async transactions(): Promise<TransactionCounts> {
    return withClient(this.adminUrl, async (client) => {
      await client.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await client.query('SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = $1', [this.name]);
      const row = xactRow.parse(rows[0]);
      return { commits: row.xact_commit, rollbacks: row.xact_rollback };
    });
  }

  /** The server processes serving the bench database (its pools' connections), to read their CPU. */
  async backendPids(): Promise<number[]> {
    const row = z.object({ pid: z.coerce.number() });
    return withClient(this.adminUrl, async (client) =>
      (await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.name])).rows.map((r: unknown) => row.parse(r).pid),
    );
  }

  /** Messages written to the outbox, by type: what the contexts published (fan-out not counted). */
  outboxByType(): Promise<Record<string, number>> {
    return this.query(`SELECT type, count(*) AS n FROM messaging.outbox GROUP BY type ORDER BY type`, [], (rows) =>
      Object.fromEntries(rows.map((r) => typeCountRow.parse(r)).map((r) => [r.type, r.n])),
    );
  }

  unsentOutboxRows(): Promise<number> {
    return this.query(`SELECT count(*) AS n FROM messaging.outbox WHERE sent_at IS NULL`, [], (rows) => countRow.parse(rows[0]).n);
  }

  /** Done work items per claiming process: the lease owner is `<hostname>/<pid>/<instance>/<poller>`. */
  workItemsByProcess(): Promise<Record<string, number>> {
    return this.query(
      `SELECT split_part(lease_owner, '/', 2) AS owner, count(*) AS n FROM product_definition.work_items WHERE status = 'done' GROUP BY 1 ORDER BY 1`,
      [],
      (rows) => Object.fromEntries(rows.map((r) => ownerRow.parse(r)).map((r) => [r.owner ?? '(none)', r.n])),
    );
  }

  workItemsByStatus(): Promise<Record<string, number>> {
    return this.query(`SELECT status, count(*) AS n FROM product_definition.work_items GROUP BY status`, [], (rows) =>
      Object.fromEntries(rows.map((r) => statusRow.parse(r)).map((r) => [r.status, r.n])),
    );
  }

  /** PRD versions stored per task, for the "one PRD per task" check. */
  prdCountsByTask(): Promise<Map<string, number>> {
    const row = z.object({ task_id: z.string(), n: z.coerce.number() });
    return this.query(
      `SELECT task_id, count(*) AS n FROM product_definition.prds GROUP BY task_id`,
      [],
      (rows) => new Map(rows.map((r) => row.parse(r)).map((r) => [r.task_id, r.n])),
    );
  }

  private query<T>(sql: string, params: readonly unknown[], parse: (rows: readonly unknown[]) => T): Promise<T> {
    return withClient(this.url, async (client) => parse((await client.query(sql, [...params])).rows));
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
