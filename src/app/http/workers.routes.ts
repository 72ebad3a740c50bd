import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { refusalNoterFor } from '../../shared/auth/token-refusal';
import { describeError } from '../../shared/kernel/errors';
import { WORKER_STATUSES, type WorkerRecord } from '../../shared/workers/worker-record';
import { type BearerAuthenticator, bearerTokenOf } from './bearer-authenticator';
import { replyUnauthorized } from '../../shared/http/unauthorized';

export interface WorkersRoutesDeps {
  /** Every registered instance, from the shared registry table. */
  readonly workers: () => Promise<readonly WorkerRecord[]>;
  /** Any admin's valid token: configured, or issued at run time when human interaction runs here. */
  readonly authenticate: BearerAuthenticator;
}

/** One instance as GET /api/admin/workers answers it. */
export const workerView = z
  .object({
    id: z.string().meta({ description: '<host>/<pid>/<8 hex>; also the lease owner of what it claims' }),
    contexts: z.array(z.string()),
    host: z.string(),
    pid: z.number().int(),
    version: z.string().meta({ description: "package.json's version" }),
    status: z.enum(WORKER_STATUSES),
    startedAt: z.string(),
    lastHeartbeatAt: z.string(),
    heartbeatAgeMs: z.number().int().meta({ description: 'By the database clock, when the registry was read' }),
    leaseMs: z.number().int(),
    inFlight: z.number().int(),
    handled: z.number().int(),
    goneAt: z.string().nullable(),
    releasedContexts: z.array(z.string()).meta({ description: 'Contexts whose leases of this gone instance were released' }),
  })
  .meta({ id: 'Worker' });
export type WorkerView = z.infer<typeof workerView>;

export function toWorkerView(worker: WorkerRecord): WorkerView {
  return {
    id: worker.id,
    contexts: [...worker.contexts],
    host: worker.host,
    pid: worker.pid,
    version: worker.version,
    status: worker.status,
    startedAt: worker.startedAt.toISOString(),
    lastHeartbeatAt: worker.lastHeartbeatAt.toISOString(),
    heartbeatAgeMs: worker.heartbeatAgeMs,
    leaseMs: worker.leaseMs,
    inFlight: worker.inFlight,
    handled: worker.handled,
    goneAt: worker.goneAt?.toISOString() ?? null,
    releasedContexts: [...worker.releasedContexts],
  };
}

/**
 * GET /api/admin/workers: the worker registry (admin role; 401 without a known token, 403 for
 * anyone else). Served by every process, whatever contexts it runs: the registry is one table.
 */
export function registerWorkersRoutes(app: FastifyInstance, deps: WorkersRoutesDeps): void {
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const token = bearerTokenOf(request.headers.authorization);
      const caller = token === undefined ? undefined : await deps.authenticate(token, refusalNoterFor(request));
      if (!caller) return replyUnauthorized(reply);
      if (!caller.roles.includes('admin')) return reply.code(403).send({ error: 'forbidden', message: 'the worker registry needs the admin role' });
      return undefined;
    });
    scope.get('/api/admin/workers', async (_request, reply) => {
      let workers: readonly WorkerRecord[];
      try {
        workers = await deps.workers();
      } catch (error) {
        return reply.code(503).send({ error: 'unavailable', message: `the database is unavailable: ${describeError(error).errorMessage}` });
      }
      return { workers: workers.map(toWorkerView) };
    });
  });
}

const workersError = z.object({ error: z.string(), message: z.string().optional() });
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** The route for the OpenAPI document (docs.routes.ts). */
export const workersApiPaths: ZodOpenApiPathsObject = {
  '/api/admin/workers': {
    get: {
      summary: 'Every registered worker instance: live, draining, and gone (kept 24 h)',
      tags: ['workers (admin)'],
      security: [{ bearer: [] }],
      responses: {
        200: { description: 'The registry', content: json(z.object({ workers: z.array(workerView) })) },
        401: { description: 'No valid bearer token', content: json(workersError) },
        403: { description: 'Not an admin', content: json(workersError) },
        503: { description: 'The database is unavailable', content: json(workersError) },
      },
    },
  },
};
