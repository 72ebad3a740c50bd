import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { inject, injectable } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Logger } from '../../../../shared/logging/logger';
import type { ActOnLink } from '../../application/act-on-link/act-on-link.service';
import type { ChannelPreferences } from '../../application/channel-preferences/channel-preferences.service';
import type { AnswerClarification } from '../../application/answer-clarification/answer-clarification.service';
import type { DecidePrd } from '../../application/decide-prd/decide-prd.service';
import type { NotificationInbox } from '../../application/queries/notification-inbox.service';
import type { TaskQueries } from '../../application/queries/task-queries.service';
import type { SubmitRequest } from '../../application/submit-request/submit-request.service';
import type { TaskViewChanges } from '../../application/task-view-changes';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { PublicAddress } from '../links/public-address';
import { INBOX_STYLE } from './assets/inbox-style';
import { LIVE_SCRIPT } from './assets/live-script';
import { html } from './html';
import { registerLinkPages } from './link-pages.routes';
import { LiveTaskEvents } from './live-task-events';
import type { NotificationActionLinks } from '../links/notification-action-links';
import { registerRequestPages } from './request-pages.routes';
import { comesFromThisSite } from './same-origin';
import { registerSettingsPages } from './settings-pages.routes';
import { registerTaskPages } from './task-pages.routes';
import { WebAuth, type WebUsers } from './web-auth';
import { sendPage, webErrorHandler } from './web-errors';
import { WebSessions } from './web-session';
import { messagePage } from './views/layout';

/**
 * Sent with every page. Scripts and styles come only from this service's files (no inline code,
 * so injected markup could not run even if escaping failed); no framing (clickjacking); and no
 * Referer, because a link page's URL is its token.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** How often an open task page re-reads its task without a signal (a change made by another process). */
const LIVE_RECHECK_MS = 3_000;
const LIVE_HEARTBEAT_MS = 15_000;

/**
 * The web inbox under /inbox: server-rendered pages for people (sign-in, notifications, task
 * pages that follow the workflow live, forms to answer and decide) and the pages of the signed
 * links notifications carry. One encapsulated plugin: its cookie and form parsers, hooks and
 * error pages apply here only.
 */
@injectable()
export class HumanInteractionWeb {
  private readonly sessions: WebSessions;
  readonly live: LiveTaskEvents;

  constructor(
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: WebUsers,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
    @inject(HUMAN_INTERACTION.PublicAddress) private readonly address: PublicAddress,
    @inject(HUMAN_INTERACTION.TaskQueries) private readonly queries: TaskQueries,
    @inject(HUMAN_INTERACTION.NotificationInbox) private readonly inbox: NotificationInbox,
    @inject(HUMAN_INTERACTION.AnswerClarification) private readonly answerClarification: AnswerClarification,
    @inject(HUMAN_INTERACTION.DecidePrd) private readonly decidePrd: DecidePrd,
    @inject(HUMAN_INTERACTION.SubmitRequest) private readonly submitRequest: SubmitRequest,
    @inject(HUMAN_INTERACTION.ChannelPreferences) private readonly channelPreferences: ChannelPreferences,
    @inject(HUMAN_INTERACTION.ActOnLink) private readonly actOnLink: ActOnLink,
    @inject(HUMAN_INTERACTION.NotificationLinks) private readonly notificationLinks: NotificationActionLinks,
    @inject(HUMAN_INTERACTION.TaskViewChanges) changes: TaskViewChanges,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {
    this.sessions = new WebSessions(options.linkSecret, options.sessionTtlMs);
    this.live = new LiveTaskEvents(changes, logger, { recheckMs: LIVE_RECHECK_MS, heartbeatMs: LIVE_HEARTBEAT_MS });
  }

  register(app: FastifyInstance): void {
    void app.register(
      async (scope) => {
        await scope.register(fastifyCookie);
        await scope.register(fastifyFormbody);
        scope.setErrorHandler(webErrorHandler(this.logger));
        scope.setNotFoundHandler((_request, reply) =>
          sendPage(reply, 404, messagePage({ title: 'Not found', user: null, heading: 'Not found' }, html`<p>There is no such page.</p>`, html`<a href="/inbox">Go to your inbox</a>`)),
        );
        scope.addHook('onSend', async (_request, reply) => {
          for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
          if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
        });
        // Cross-site request forgery: a state-changing request must come from our own pages.
        scope.addHook('onRequest', async (request, reply) => {
          if (request.method !== 'POST' || comesFromThisSite(request, this.publicUrl())) return undefined;
          return this.refuseCrossSite(reply);
        });
        // Open event streams would keep the server from closing.
        scope.addHook('preClose', async () => this.live.closeAll());

        const auth = new WebAuth(this.users, this.sessions, this.clock, () => this.publicUrl()?.startsWith('https:') ?? false);
        auth.registerRoutes(scope);
        registerTaskPages(scope, {
          auth,
          queries: this.queries,
          inbox: this.inbox,
          answerClarification: this.answerClarification,
          decidePrd: this.decidePrd,
          notificationLinks: this.notificationLinks,
          live: this.live,
          nameOf: async (id) => (await this.users.findById(id))?.name ?? id,
          securityHeaders: SECURITY_HEADERS,
        });
        registerLinkPages(scope, { actOnLink: this.actOnLink, notificationLinks: this.notificationLinks, inbox: this.inbox, viewerOf: (request) => auth.userOf(request) });
        registerRequestPages(scope, { auth, submitRequest: this.submitRequest });
        registerSettingsPages(scope, { auth, channelPreferences: this.channelPreferences });
        scope.get('/assets/live.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(LIVE_SCRIPT));
        scope.get('/assets/inbox.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(INBOX_STYLE));
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
}
