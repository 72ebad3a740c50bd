import { z } from 'zod';
import { storedText } from '../../../../shared/kernel/text';
import { OPERATOR_OUTCOMES } from '../../application/ops/ops.repository';

const MAX_AUDIT_LIMIT = 1_000;

/** GET /api/admin/audit: strict, so a misspelt filter is refused rather than ignored. */
export const auditListQuery = z.strictObject({
  taskId: storedText().min(1).max(200).optional().describe('Only the actions on this task'),
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

/** POST /api/admin/agent-pool: strict, so a misspelt field is refused rather than ignored. */
export const agentPoolBody = z.strictObject({
  paused: z.boolean().describe('true: pause the agent pool (no process claims work); false: resume it'),
  reason: storedText().trim().min(1).max(500).optional().describe('Why, shown to other operators and in the audit log'),
});

export const agentPoolView = z
  .object({
    pool: z.string(),
    paused: z.boolean().describe('As human interaction last heard from product definition'),
    changedBy: z.string().nullable().describe('Who switched it last; null when nobody ever has'),
    reason: z.string().nullable(),
    changedAt: z.string().nullable(),
    waitingTasks: z.number().int().describe('Tasks in REQUEST_VALIDATION: waiting for the agent'),
  })
  .meta({ id: 'AgentPool' });

export const agentPoolRequestView = z.object({
  requested: z.enum(['pause', 'resume']),
  waitingTasks: z.number().int(),
  alreadySo: z.boolean().describe('The pool already was so: the command changes nothing'),
});

export const stalledTaskView = z
  .object({
    alertId: z.string().describe('The stall episode: what POST /api/admin/stalled/{alertId}/redrive names'),
    taskId: z.string(),
    title: z.string().nullable(),
    status: z.string().describe('The state it stalled in'),
    taskVersion: z.number().int(),
    inStatusSince: z.string(),
    redriven: z.array(z.string()).describe('What the scanner already sent again'),
    redriveRequestedBy: z.string().nullable().describe('Who asked for a re-drive of this stall; null while nobody has'),
    redriveRequestedAt: z.string().nullable(),
  })
  .meta({ id: 'StalledTask' });

export const stalledListView = z.object({ stalled: z.array(stalledTaskView) });
export const stalledParams = z.object({ alertId: storedText().min(1).max(200) });
export const redriveView = z.object({ taskId: z.string(), taskVersion: z.number().int() });
