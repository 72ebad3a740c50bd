import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { ConcurrencyConflictError } from '../../../../shared/messaging/errors';
import { execute } from '../../../../shared/persistence/sql';
import { storedPrdDocumentSchema } from '../../contracts';
import { Prd, type PrdRepository } from '../../domain/prd';

const prdRow = z.object({
  version: z.number().int(),
  document: storedPrdDocumentSchema,
  based_on_task_version: z.number().int(),
  created_at: z.coerce.date(),
});

export class PostgresPrdRepository implements PrdRepository {
  constructor(private readonly manager: EntityManager) {}

  async load(taskId: string): Promise<Prd> {
    const { rows } = await execute(
      this.manager,
      `SELECT version, document, based_on_task_version, created_at FROM product_definition.prds WHERE task_id = $1 ORDER BY version`,
      [taskId],
    );
    return Prd.rehydrate(
      taskId,
      rows.map((raw) => {
        const row = prdRow.parse(raw);
        return { version: row.version, document: row.document, basedOnTaskVersion: row.based_on_task_version, createdAt: row.created_at };
      }),
    );
  }

  async save(prd: Prd): Promise<void> {
    for (const version of prd.unsaved) {
      // Versions are insert-only: the primary key is the optimistic lock between two writers.
      const { rows } = await execute(
        this.manager,
        `INSERT INTO product_definition.prds (task_id, version, document, based_on_task_version, created_at)
         VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (task_id, version) DO NOTHING RETURNING version`,
        [prd.taskId, version.version, JSON.stringify(version.document), version.basedOnTaskVersion, version.createdAt],
      );
      if (rows.length === 0) throw new ConcurrencyConflictError('Prd', prd.taskId, version.version - 1);
    }
    prd.markSaved();
  }
}
