import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { Logger } from '../../../../shared/logging/logger';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { ApiTokens } from '../../application/api-tokens/api-tokens.service';
import type { AnswerClarification } from '../../application/answer-clarification/answer-clarification.service';
import type { CancelTask } from '../../application/cancel-task/cancel-task.service';
import type { DecidePrd } from '../../application/decide-prd/decide-prd.service';
import type { NotificationInbox } from '../../application/queries/notification-inbox.service';
import type { TaskQueries } from '../../application/queries/task-queries.service';
import type { SubmitRequest } from '../../application/submit-request/submit-request.service';
import type { ChannelPreferences } from '../../application/channel-preferences/channel-preferences.service';
import type { DeliveryAdmin } from '../../application/deliveries-admin/delivery-admin.service';
import { hasRole } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { NotificationActionLinks } from '../links/notification-action-links';
import { type Authenticator, RequestUsers } from './bearer-auth';
import { errorHandler } from './http-errors';
import { registerChannelRoutes } from './channel.routes';
import { registerDeliveryAdminRoutes } from './delivery-admin.routes';
import { registerNotificationRoutes } from './notification.routes';
import { registerTaskRoutes } from './task.routes';
import { registerTokenRoutes } from './token.routes';

/**
 * The people-facing API under /api. The composition root owns the fastify instance (and its
 * /health, /metrics, /admin routes); everything here lives in one encapsulated plugin, so its
 * auth hook, error handler and not-found handler apply to these routes only.
 */
@injectable()
export class HumanInteractionHttpApi {
  constructor(
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly authenticator: Authenticator,
    @inject(HUMAN_INTERACTION.SubmitRequest) private readonly submitRequest: SubmitRequest,
    @inject(HUMAN_INTERACTION.AnswerClarification) private readonly answerClarification: AnswerClarification,
    @inject(HUMAN_INTERACTION.DecidePrd) private readonly decidePrd: DecidePrd,
    @inject(HUMAN_INTERACTION.CancelTask) private readonly cancelTask: CancelTask,
    @inject(HUMAN_INTERACTION.TaskQueries) private readonly queries: TaskQueries,
    @inject(HUMAN_INTERACTION.NotificationInbox) private readonly inbox: NotificationInbox,
    @inject(SHARED.Logger) private readonly logger: Logger,
    @inject(HUMAN_INTERACTION.ApiTokens) private readonly tokens: ApiTokens,
    @inject(HUMAN_INTERACTION.ChannelPreferences) private readonly channelPreferences: ChannelPreferences,
    @inject(HUMAN_INTERACTION.NotificationLinks) private readonly notificationLinks: NotificationActionLinks,
    @inject(HUMAN_INTERACTION.DeliveryAdmin) private readonly deliveryAdmin: DeliveryAdmin,
  ) {}

  register(app: FastifyInstance): void {
    void app.register(
      async (scope) => {
        const users = new RequestUsers();
        scope.setErrorHandler(errorHandler(this.logger));
        scope.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found' }));
        scope.addHook('onRequest', users.hook(this.authenticator));
        // Admin routes refuse a non-admin before looking at the request: 403, never a 400 that
        // would tell someone without the role how to shape one.
        scope.addHook('preHandler', async (request, reply) => {
          if (request.routeOptions.url?.startsWith('/api/admin/') && !hasRole(users.of(request), 'admin')) {
            return reply.code(403).send({ error: 'forbidden', message: 'admin operations need the admin role' });
          }
          return undefined;
        });
        const { submitRequest, answerClarification, decidePrd, cancelTask, queries, inbox } = this;
        registerTaskRoutes(scope, { users, submitRequest, answerClarification, decidePrd, cancelTask, queries });
        registerNotificationRoutes(scope, { users, inbox, actionUrls: (n) => this.notificationLinks.urlsFor(n) });
        registerTokenRoutes(scope, { users, tokens: this.tokens });
        registerChannelRoutes(scope, { users, channelPreferences: this.channelPreferences });
        registerDeliveryAdminRoutes(scope, { users, deliveries: this.deliveryAdmin });
      },
      { prefix: '/api' },
    );
  }
}
