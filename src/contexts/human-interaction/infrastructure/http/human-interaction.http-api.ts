import type { FastifyInstance } from 'fastify';
import { inject, injectable, multiInject, optional } from 'inversify';
import { ALWAYS_AVAILABLE, type DependencyAvailability } from '../../../../shared/kernel/availability';
import type { Logger } from '../../../../shared/logging/logger';
import { SHARED } from '../../../../shared/kernel/tokens';
import { hasRole } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ApiRoutes } from './api-routes';
import { type Authenticator, RequestUsers } from './bearer-auth';
import { errorHandler } from './http-errors';

/**
 * The people-facing API under /api. The composition root owns the fastify instance (and its
 * /health, /metrics, /admin routes); everything here lives in one encapsulated plugin, so its
 * auth hook, error handler and not-found handler apply to these routes only. The routes
 * themselves come in groups (HUMAN_INTERACTION.ApiRoutes), each with the services it uses.
 */
@injectable()
export class HumanInteractionHttpApi {
  constructor(
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly authenticator: Authenticator,
    @inject(SHARED.Logger) private readonly logger: Logger,
    @multiInject(HUMAN_INTERACTION.ApiRoutes) private readonly groups: readonly ApiRoutes[],
    @inject(SHARED.Availability) @optional() private readonly availability: DependencyAvailability = ALWAYS_AVAILABLE,
  ) {}

  register(app: FastifyInstance): void {
    void app.register(
      async (scope) => {
        const users = new RequestUsers();
        scope.setErrorHandler(errorHandler(this.logger, this.availability));
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
        for (const group of this.groups) group.register(scope, users);
      },
      { prefix: '/api' },
    );
  }
}
