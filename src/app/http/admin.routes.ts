import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeadLetterAdmin } from '../../shared/messaging/message-queue';
import type { ConfiguredUser } from '../config';

const sha = (s: string) => createHash('sha256').update(s).digest();

const replayBody = z.object({ id: z.string().min(1).optional(), type: z.string().min(1).optional() }).strict();

export interface AdminDeps {
  readonly deadLetters: DeadLetterAdmin;
  readonly users: readonly ConfiguredUser[];
}

/** Dead-letter tooling for operators: list, replay, purge. Needs a token of a user with role admin. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const admins = deps.users.filter((u) => u.roles.includes('admin')).map((u) => sha(u.token));
  const isAdmin = (request: FastifyRequest) => {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (!match?.[1]) return false;
    const presented = sha(match[1]);
    return admins.some((hash) => timingSafeEqual(hash, presented));
  };

  void app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        if (!isAdmin(request)) return reply.code(request.headers.authorization ? 403 : 401).send({ error: request.headers.authorization ? 'forbidden' : 'unauthorized' });
      });
      scope.get('/dead-letters', async (request) => {
        const consumer = z.object({ consumer: z.string().optional() }).parse(request.query).consumer;
        return { deadLetters: await deps.deadLetters.listDeadLetters(consumer) };
      });
      scope.post('/dead-letters/:consumer/replay', async (request, reply) => {
        const parsed = replayBody.safeParse(request.body ?? {});
        if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
        const { consumer } = request.params as { consumer: string };
        return { replayed: await deps.deadLetters.replayDeadLetters(consumer, parsed.data) };
      });
      scope.delete('/dead-letters/:consumer', async (request) => {
        const { consumer } = request.params as { consumer: string };
        const filter = replayBody.parse(request.query ?? {});
        return { purged: await deps.deadLetters.purgeDeadLetters(consumer, filter) };
      });
    },
    { prefix: '/admin' },
  );
}
