import { z } from 'zod';
import { OPERATOR_OUTCOMES } from '../../application/ops/ops.repository';

const MAX_AUDIT_LIMIT = 1_000;

/** GET /api/admin/audit: strict, so a misspelt filter is refused rather than ignored. */
export const auditListQuery = z.strictObject({
  taskId: z.string().min(1).max(200).optional().describe('Only the actions on this task'),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).default(100).describe('At most this many, newest first (default 100)'),
});

export const operatorActionView = z
  .object({
    id: z.string(),
    at: z.string(),
    actorId: z.string(),
    action: z.string(),
    target: z.string(),
    taskId: z.string().nullable(),
    outcome: z.enum(OPERATOR_OUTCOMES),
    detail: z.string(),
  })
  .meta({ id: 'OperatorAction' });

export const auditListView = z.object({ actions: z.array(operatorActionView) });
