import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { storedPrdDocumentSchema } from '../../../product-definition/contracts';
import type { PrdView, PrdViewRepository } from '../../application/prd-view.repository';

const prdRow = z.object({
  task_id: z.string(),
  prd_version: z.number().int(), // Documents stored before issue #9 (plain-string items, feedbackAddressed) are read in today's shape.
  document: storedPrdDocumentSchema,
  drafted_at: z.coerce.date(),
});

function toPrdView(row: unknown): PrdView {
  const r = prdRow.parse(row);
  return { taskId: r.task_id, prdVersion: r.prd_version, document: r.document, draftedAt: r.drafted_at };
}

const COLUMNS = 'task_id, prd_version, document, drafted_at';

export class PostgresPrdViewRepository implements PrdViewRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(prd: PrdView): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `INSERT INTO human_interaction.prd_views (task_id, prd_version, document, drafted_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT DO NOTHING RETURNING task_id`,
      [prd.taskId, prd.prdVersion, JSON.stringify(prd.document), prd.draftedAt],
    );
    return rows.length === 1;
  }

  async list(taskId: string): Promise<PrdView[]> {
    const { rows } = await execute(this.manager, `SELECT ${COLUMNS} FROM human_interaction.prd_views WHERE task_id = $1 ORDER BY prd_version`, [taskId]);
    return rows.map(toPrdView);
  }

  async find(taskId: string, prdVersion: number): Promise<PrdView | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${COLUMNS} FROM human_interaction.prd_views WHERE task_id = $1 AND prd_version = $2`, [
      taskId,
      prdVersion,
    ]);
    return rows.length === 0 ? undefined : toPrdView(rows[0]);
  }

  async has(taskId: string, prdVersion: number): Promise<boolean> {
    const { rows } = await execute(this.manager, `SELECT 1 FROM human_interaction.prd_views WHERE task_id = $1 AND prd_version = $2`, [taskId, prdVersion]);
    return rows.length === 1;
  }

  async latestVersions(taskIds: readonly string[]): Promise<Map<string, number>> {
    if (taskIds.length === 0) return new Map();
    const { rows } = await execute(
      this.manager,
      `SELECT task_id, MAX(prd_version) AS latest FROM human_interaction.prd_views WHERE task_id = ANY($1::text[]) GROUP BY task_id`,
      [[...taskIds]],
    );
    const parsed = z.array(z.object({ task_id: z.string(), latest: z.coerce.number().int() })).parse(rows);
    return new Map(parsed.map((r) => [r.task_id, r.latest]));
  }
}
