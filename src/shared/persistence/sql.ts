import type { EntityManager } from 'typeorm';

export interface SqlResult {
  readonly rows: unknown[];
  readonly affected: number;
}

/**
 * Runs one parameterised statement on the manager's connection (the transaction's, inside one).
 * Rows come back as `unknown`: callers parse them with zod at this boundary.
 */
export async function execute(manager: EntityManager, sql: string, params: readonly unknown[] = []): Promise<SqlResult> {
  const owned = manager.queryRunner === undefined;
  const runner = manager.queryRunner ?? manager.dataSource.createQueryRunner();
  try {
    const result = await runner.query(sql, [...params], true);
    return { rows: (result.records as unknown[] | undefined) ?? [], affected: result.affected ?? 0 };
  } finally {
    if (owned) await runner.release();
  }
}
