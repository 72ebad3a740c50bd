import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { OpsConsole } from '../../application/ops/ops-console.service';
import type { OperatorAction } from '../../application/ops/ops.repository';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ApiRoutes } from './api-routes';
import type { RequestUsers } from './bearer-auth';
import { parseInput } from './http-errors';
import { auditListQuery } from './ops-api.schemas';

const present = (a: OperatorAction) => ({ ...a, at: a.at.toISOString() });

/** Admin: the audit log of operator actions (`/api/admin/audit`), the console's and the admin API's. */
@injectable()
export class OpsApiRoutes implements ApiRoutes {
  constructor(@inject(HUMAN_INTERACTION.OpsConsole) private readonly console: OpsConsole) {}

  register(app: FastifyInstance, users: RequestUsers): void {
    app.get('/admin/audit', async (request) => {
      const { taskId, limit } = parseInput(auditListQuery, request.query, 'query');
      return { actions: (await this.console.auditLog(users.of(request), { limit, ...(taskId ? { taskId } : {}) })).map(present) };
    });
  }
}
