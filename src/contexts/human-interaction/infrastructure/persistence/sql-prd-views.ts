import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { type PrdDocument, prdDocumentSchema } from '../../../product-definition/contracts';

export interface PrdView {
  readonly taskId: string;
  readonly prdVersion: number;
  readonly document: PrdDocument;
  readonly draftedAt: Date;
}

const prdRow = z.object({ task_id: z.string(), prd_version: z.number().int(), document: prdDocumentSchema, drafted_at: z.coerce.date() });

/** A PRD version never changes once drafted, so a re-emitted event is simply ignored. */
export async function insertPrdView(manager: EntityManager, prd: PrdView): Promise<boolean> {
  const { rows } = await execute(
    manager,
    `INSERT INTO human_interaction.prd_views (task_id, prd_version, document, drafted_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT DO NOTHING RETURNING task_id`,
    [prd.taskId, prd.prdVersion, JSON.stringify(prd.document), prd.draftedAt],
  );
  return rows.length === 1;
}

function toPrdView(row: unknown): PrdView {
  const r = prdRow.parse(row);
  return { taskId: r.task_id, prdVersion: r.prd_version, document: r.document, draftedAt: r.drafted_at };
}

const COLUMNS = 'task_id, prd_version, document, drafted_at';

export async function listPrdViews(manager: EntityManager, taskId: string): Promise<PrdView[]> {
  const { rows } = await execute(manager, `SELECT ${COLUMNS} FROM human_interaction.prd_views WHERE task_id = $1 ORDER BY prd_version`, [taskId]);
  return rows.map(toPrdView);
}

/** One PRD version, without loading and parsing the task's other versions. */
export async function findPrdView(manager: EntityManager, taskId: string, prdVersion: number): Promise<PrdView | undefined> {
  const { rows } = await execute(manager, `SELECT ${COLUMNS} FROM human_interaction.prd_views WHERE task_id = $1 AND prd_version = $2`, [taskId, prdVersion]);
  return rows.length === 0 ? undefined : toPrdView(rows[0]);
}

/** Whether one PRD version has arrived, without loading and parsing every document. */
export async function hasPrdView(manager: EntityManager, taskId: string, prdVersion: number): Promise<boolean> {
  const { rows } = await execute(manager, `SELECT 1 FROM human_interaction.prd_views WHERE task_id = $1 AND prd_version = $2`, [taskId, prdVersion]);
  return rows.length === 1;
}
