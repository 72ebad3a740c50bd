import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { DeliveryAdmin, DeliverySummary } from '../../application/deliveries-admin/delivery-admin.service';
import type { OpsConsole } from '../../application/ops/ops-console.service';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ApiRoutes } from './api-routes';
import type { RequestUsers } from './bearer-auth';
import { deliveryListQuery, deliveryRetryBody } from './delivery-admin.schemas';
import { parseInput } from './http-errors';

function present(d: DeliverySummary) {
  return {
    notificationId: d.notificationId,
    channel: d.channel,
    recipientId: d.recipientId,
    targetHost: d.targetHost,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    // A sent or failed row keeps its last schedule, which no longer means anything.
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? null,
  };
}

/** Admin: email and webhook deliveries (`/api/admin/deliveries`). The service refuses non-admins (403). */
@injectable()
export class DeliveryAdminRoutes implements ApiRoutes {
  constructor(
    @inject(HUMAN_INTERACTION.DeliveryAdmin) private readonly deliveries: DeliveryAdmin,
    @inject(HUMAN_INTERACTION.OpsConsole) private readonly ops: OpsConsole,
  ) {}

  register(app: FastifyInstance, users: RequestUsers): void {
    const { deliveries } = this;

    app.get('/admin/deliveries', async (request) => {
      const filter = parseInput(deliveryListQuery, request.query, 'query');
      return { deliveries: (await deliveries.list(users.of(request), filter)).map(present) };
    });

    app.post('/admin/deliveries/retry', async (request, reply) => {
      const body = parseInput(deliveryRetryBody, request.body);
      const { notificationId, channel } = body;
      // The schema let through exactly one form: both names, or allFailed alone.
      const selection = notificationId !== undefined && channel !== undefined ? { notificationId, channel } : { allFailed: true as const };
      const admin = users.of(request);
      const target = 'allFailed' in selection ? 'every failed delivery' : `${selection.channel}:${selection.notificationId}`;
      // Written to the audit log whichever way it ends, as the console's retries are.
      const outcome = await this.ops.audited(admin, 'deliveries.retry', target, null, async () => {
        const result = await deliveries.retry(admin, selection);
        return { result, detail: result.kind === 'retried' ? `retried ${result.retried}` : 'no such delivery' };
      });
      if (outcome.kind === 'not_found')
        return reply.code(404).send({ error: 'not_found', message: `notification ${notificationId} has no ${channel} delivery` });
      return { retried: outcome.retried };
    });
  }
}
