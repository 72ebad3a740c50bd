import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { taskPrioritySchema, taskStatusSchema } from '../../../task-management/contracts';
import type { ProductRequest, ProductRequestRepository } from '../../domain/product-request';

const requestRow = z.object({
  task_id: z.string(),
  title: z.string(),
  description: z.string(),
  requester_id: z.string(),
  priority: taskPrioritySchema,
  task_version: z.number().int(),
  task_status: taskStatusSchema,
  clarification_rounds: z.number().int(),
  clarification_log: z.array(z.object({ question: z.string(), answer: z.string() })),
  feedback: z.array(z.object({ prdVersion: z.number().int(), feedback: z.string() })),
  updated_at: z.coerce.date(),
});

export class PostgresProductRequestRepository implements ProductRequestRepository {
  constructor(private readonly manager: EntityManager) {}

  async saveIfNotOlder(request: ProductRequest): Promise<boolean> {
    // One statement decides and writes, so two snapshots racing cannot move the copy backwards;
    // the row stays locked for the rest of the transaction.
    const { rows } = await execute(
      this.manager,
      `INSERT INTO product_definition.requests AS r
         (task_id, title, description, requester_id, priority, task_version, task_status, clarification_rounds, clarification_log, feedback, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11)
       ON CONFLICT (task_id) DO UPDATE SET
         title = EXCLUDED.title, description = EXCLUDED.description, requester_id = EXCLUDED.requester_id,
         priority = EXCLUDED.priority, task_version = EXCLUDED.task_version, task_status = EXCLUDED.task_status,
         clarification_rounds = EXCLUDED.clarification_rounds, clarification_log = EXCLUDED.clarification_log,
         feedback = EXCLUDED.feedback, updated_at = EXCLUDED.updated_at
       WHERE r.task_version <= EXCLUDED.task_version
       RETURNING task_id`,
      [
        request.taskId,
        request.title,
        request.description,
        request.requesterId,
        request.priority,
        request.taskVersion,
        request.taskStatus,
        request.clarificationRounds,
        JSON.stringify(request.clarificationLog),
        JSON.stringify(request.feedback),
        request.updatedAt,
      ],
    );
    return rows.length === 1;
  }

  async find(taskId: string): Promise<ProductRequest | undefined> {
    const { rows } = await execute(this.manager, `SELECT * FROM product_definition.requests WHERE task_id = $1`, [taskId]);
    if (rows.length === 0) return undefined;
    const row = requestRow.parse(rows[0]);
    return {
      taskId: row.task_id,
      title: row.title,
      description: row.description,
      requesterId: row.requester_id,
      priority: row.priority,
      taskVersion: row.task_version,
      taskStatus: row.task_status,
      clarificationRounds: row.clarification_rounds,
      clarificationLog: row.clarification_log,
      feedback: row.feedback,
      updatedAt: row.updated_at,
    };
  }
}
