import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { inject, injectable, multiInject, optional } from 'inversify';
import { ALWAYS_AVAILABLE, type DependencyAvailability } from '../../../../shared/kernel/availability';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Logger } from '../../../../shared/logging/logger';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { PublicAddress } from '../links/public-address';
import { INBOX_STYLE } from './assets/inbox-style';
import { LIVE_SCRIPT } from './assets/live-script';
import { html } from './html';
import { comesFromThisSite, isFormPost } from './same-origin';
import { type RevokedSessions, WebAuth, type WebUsers } from './web-auth';
import { sendPage, webErrorHandler } from './web-errors';
import type { WebPages } from './web-pages';
import { WebSessions } from './web-session';
import { messagePage } from './views/layout';

/**
 * The web inbox under /inbox: server-rendered pages for people (sign-in, notifications, task
 * pages that follow the workflow live, forms to answer and decide) and the pages of the signed
 * links notifications carry. One encapsulated plugin: its cookie and form parsers, hooks and
 * error pages apply here only. The pages themselves come in groups (HUMAN_INTERACTION.WebPages),
 * each with the services it uses.
 */
@injectable()
export class HumanInteractionWeb {
  private readonly sessions: WebSessions;

  constructor(
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: WebUsers,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(HUMAN_INTERACTION.PublicAddress) private readonly address: PublicAddress,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(SHARED.Logger) private readonly logger: Logger,
    @multiInject(HUMAN_INTERACTION.WebPages) private readonly groups: readonly WebPages[],
    @inject(HUMAN_INTERACTION.SessionRevocations) private readonly revocations: RevokedSessions,
    @inject(SHARED.Availability) @optional() private readonly availability: DependencyAvailability = ALWAYS_AVAILABLE,
  ) {
    this.sessions = new WebSessions(options.linkSecret, options.sessionTtlMs, Math.min(options.sessionIdleMs, options.sessionTtlMs));
  }

  register(app: FastifyInstance): void {
    // The operations console lives with the inbox (its session, CSP and form checks); /ops is its short address.
    app.get('/ops', async (_request, reply) => reply.code(303).header('location', '/inbox/ops').send());
    void app.register(
      async (scope) => {
        await scope.register(fastifyCookie);
        await scope.register(fastifyFormbody);
        scope.setErrorHandler(webErrorHandler(this.logger, this.availability));
        scope.setNotFoundHandler((_request, reply) =>
          sendPage(
            reply,
            404,
            messagePage(
              { title: 'Not found', user: null, heading: 'Not found' },
              html`<p>There is no such page.</p>`,
              html`<a href="/inbox">Go to your inbox</a>`,
            ),
          ),
        );
        // Security headers (CSP, no framing, no-store) come from the application's one hook (src/shared/http/security-headers.ts).
        // Cross-site request forgery: a state-changing request must come from our own pages.
        // Then the body: only what the pages' forms send (415 otherwise, before it is parsed).
        scope.addHook('onRequest', async (request, reply) => {
          if (request.method !== 'POST') return undefined;
          if (!comesFromThisSite(request, this.publicUrl())) return this.refuseCrossSite(reply);
          if (!isFormPost(request)) return this.refuseContentType(reply);
          return undefined;
        });

        const auth = new WebAuth(this.users, this.sessions, this.clock, () => this.publicUrl()?.startsWith('https:') ?? false, this.revocations);
        for (const group of this.groups) group.register(scope, auth);
        scope.get('/assets/live.js', async (_request, reply) =>
          reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(LIVE_SCRIPT),
        );
        scope.get('/assets/inbox.css', async (_request, reply) =>
          reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(INBOX_STYLE),
        );
      },
      { prefix: '/inbox' },
    );
  }

  private publicUrl(): string | undefined {
    return this.address.known();
  }

  private refuseCrossSite(reply: FastifyReply): FastifyReply {
    const heading = 'Refused: sent from another site';
    const body = messagePage(
      { title: heading, user: null, heading },
      html`<p>This form was not sent from Refinery's own pages, so nothing was done. If you meant it, open the page in Refinery and send it from there.</p>`,
      html`<a href="/inbox">Go to your inbox</a>`,
    );
    return sendPage(reply, 403, body);
  }

  private refuseContentType(reply: FastifyReply): FastifyReply {
    const heading = 'Refused: not a form';
    const body = messagePage(
      { title: heading, user: null, heading },
      html`<p>Refinery's pages send their forms as application/x-www-form-urlencoded; this request was sent as something else, so nothing was done.</p>`,
      html`<a href="/inbox">Go to your inbox</a>`,
    );
    return sendPage(reply, 415, body);
  }
}
