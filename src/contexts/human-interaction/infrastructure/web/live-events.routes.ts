import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Logger } from '../../../../shared/logging/logger';
import type { TaskQueries } from '../../application/queries/task-queries.service';
import type { TaskViewChanges } from '../../application/task-view-changes';
import { NotAllowedError, TaskNotFoundError } from '../../domain/human-interaction.errors';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { LiveTaskEvents } from './live-task-events';
import { securityHeadersFor } from '../../../../shared/http/security-headers';
import { taskIdOf } from './task-pages.routes';
import { liveStamp } from './views/task-page';
import type { WebAuth } from './web-auth';
import type { WebPages } from './web-pages';

/** How often an open task page re-reads its task without a signal (a change made by another process). */
const LIVE_RECHECK_MS = 3_000;
const LIVE_HEARTBEAT_MS = 15_000;
const LIVE_FULL_RETRY_AFTER_S = 30;
const CAP_NAMES = { session: 'for this sign-in', person: 'for you', total: 'on this server' } as const;

/** /inbox/tasks/:taskId/events: the event stream that keeps an open task page live. */
@injectable()
export class LiveEventRoutes implements WebPages {
  readonly live: LiveTaskEvents;

  constructor(
    @inject(HUMAN_INTERACTION.TaskQueries) private readonly queries: TaskQueries,
    @inject(HUMAN_INTERACTION.TaskViewChanges) changes: TaskViewChanges,
    @inject(SHARED.Logger) logger: Logger,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
  ) {
    this.live = new LiveTaskEvents(changes, logger, { recheckMs: LIVE_RECHECK_MS, heartbeatMs: LIVE_HEARTBEAT_MS, limits: options.liveStreams });
  }

  register(app: FastifyInstance, auth: WebAuth): void {
    // Open event streams would keep the server from closing.
    app.addHook('preClose', async () => this.live.closeAll());

    app.get('/tasks/:taskId/events', async (request, reply) => {
      const user = await auth.userOf(request);
      if (!user) return reply.code(401).type('text/plain').send('sign in first');
      const sessionId = auth.sessionIdOf(request) ?? '';
      const cap = this.live.full({ sessionId, userId: user.id });
      if (cap) {
        return reply
          .code(429)
          .header('retry-after', String(LIVE_FULL_RETRY_AFTER_S))
          .type('text/plain')
          .send(`too many open live pages (${CAP_NAMES[cap]}); close one and reload`);
      }
      const taskId = taskIdOf(request);
      await this.queries.getTask(user, taskId); // 404 / 403 before the stream opens
      const read = async () => {
        try {
          const details = await this.queries.getTask(user, taskId);
          return { stamp: liveStamp(details), status: details.task.status, version: details.task.version };
        } catch (error) {
          if (error instanceof NotAllowedError || error instanceof TaskNotFoundError) return undefined;
          throw error;
        }
      };
      // The session is checked at each re-check too: signing out, revoking its token or its expiry ends the stream.
      const stillSignedIn = async () => (await auth.stillSignedIn(request))?.id === user.id;
      this.live.stream(reply, taskId, securityHeadersFor(request.url), read, { sessionId, userId: user.id, stillSignedIn });
      return reply;
    });
  }
}
