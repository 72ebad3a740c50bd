import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { AgentPoolState, OpsConsole, StalledTask } from '../../application/ops/ops-console.service';
import type { OperatorAction } from '../../application/ops/ops.repository';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ApiRoutes } from './api-routes';
import type { RequestUsers } from './bearer-auth';
import { parseInput } from './http-errors';
import { agentPoolBody, auditListQuery, stalledParams } from './ops-api.schemas';

const present = (a: OperatorAction) => ({ ...a, at: a.at.toISOString() });
const presentPool = (p: AgentPoolState) => ({
  pool: p.pool,
  paused: p.paused,
  changedBy: p.view?.by ?? null,
  reason: p.view?.reason ?? null,
  changedAt: p.view?.changedAt.toISOString() ?? null,
  waitingTasks: p.waitingTasks,
});

const presentStalled = ({ alert, task }: StalledTask) => {
  const facts = alert.facts.kind === 'workflow-stalled' ? alert.facts : undefined;
  return {
    alertId: alert.id,
    taskId: alert.taskId ?? alert.subject,
    title: task?.title ?? null,
    status: alert.status ?? '',
    taskVersion: alert.taskVersion ?? 0,
    inStatusSince: facts?.inStatusSince ?? alert.raisedAt.toISOString(),
    redriven: [...(facts?.redriven ?? [])],
    redriveRequestedBy: alert.redrive?.by ?? null,
    redriveRequestedAt: alert.redrive?.at.toISOString() ?? null,
  };
};

/**
 * Admin: the audit log of operator actions (`/api/admin/audit`), the console's and the admin
 * API's; the agent pool's switch (`/api/admin/agent-pool`: read it, pause or resume, audited as the
 * console's are).
 */
@injectable()
export class OpsApiRoutes implements ApiRoutes {
  constructor(@inject(HUMAN_INTERACTION.OpsConsole) private readonly console: OpsConsole) {}

  register(app: FastifyInstance, users: RequestUsers): void {
    app.get('/admin/audit', async (request) => {
      const { taskId, limit } = parseInput(auditListQuery, request.query, 'query');
      return { actions: (await this.console.auditLog(users.of(request), { limit, ...(taskId ? { taskId } : {}) })).map(present) };
    });

    app.get('/admin/stalled', async (request) => ({ stalled: (await this.console.stalled(users.of(request))).map(presentStalled) }));

    // 202: orchestration acts on the command; the task moves on when its step was sent again.
    app.post('/admin/stalled/:alertId/redrive', async (request, reply) => {
      const { alertId } = parseInput(stalledParams, request.params, 'path');
      return reply.code(202).send(await this.console.redrive(users.of(request), alertId));
    });

    app.get('/admin/agent-pool', async (request) => presentPool(await this.console.agentPool(users.of(request))));

    // 202: the command is on its way; GET shows the switch once product definition handled it.
    app.post('/admin/agent-pool', async (request, reply) => {
      const { paused, reason } = parseInput(agentPoolBody, request.body);
      const asked = await this.console.setAgentPool(users.of(request), paused, reason);
      return reply.code(202).send({ requested: asked.paused ? 'pause' : 'resume', waitingTasks: asked.waitingTasks, alreadySo: asked.alreadySo });
    });
  }
}
