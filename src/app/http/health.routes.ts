import type { FastifyInstance } from 'fastify';
import type { MonitoredMessageQueue } from '../../shared/messaging/monitoring/monitored-message-queue';
import type { Database } from '../../shared/persistence/data-source';

export interface HealthDeps {
  readonly database: Database;
  readonly queue: MonitoredMessageQueue;
  readonly isStarted: () => boolean;
}

/** Liveness, readiness (the database answers) and Prometheus metrics. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    try {
      await deps.database.dataSource.query('SELECT 1');
      return { status: deps.isStarted() ? 'ready' : 'starting', database: deps.database.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.database.kind });
    }
  });
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await deps.queue.metricsText()));
}
